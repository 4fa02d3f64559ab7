/**
 * Puts the focus on a field of the properties panel once it is there (the panel renders after the
 * selection changes): the element with data-testid `testId`, or the first control inside it, scrolled
 * into view. Gives up after a few frames when the panel never shows it.
 */
export function focusField(testId: string, frames = 20): void {
  const tryNow = (left: number) => {
    const el = document.querySelector<HTMLElement>(`[data-testid="properties"] [data-testid="${CSS.escape(testId)}"]`);
    const target = el && !el.matches('input, select, textarea, button') ? (el.querySelector<HTMLElement>('input, select, textarea, button') ?? el) : el;
    if (target) {
      target.scrollIntoView({ block: 'nearest' });
      target.focus();
    } else if (left > 0) requestAnimationFrame(() => tryNow(left - 1));
  };
  requestAnimationFrame(() => tryNow(frames));
}
