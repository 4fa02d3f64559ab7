/**
 * Light or dark: the system's preference (prefers-color-scheme) unless the user picked one with
 * the toolbar's toggle, which is remembered in localStorage. The choice is pure (themeFor); the
 * store below applies it to <html data-theme> and tells subscribers (the canvas restyles).
 */
export type Theme = 'light' | 'dark';
/** What the user picked: a theme, or 'system' to follow the system. */
export type ThemeChoice = Theme | 'system';

export const THEME_KEY = 'nsd-theme';

/** The theme to show for a stored choice (anything unknown counts as 'system') and the system's preference. */
export function themeFor(stored: string | null, systemDark: boolean): Theme {
  if (stored === 'light' || stored === 'dark') return stored;
  return systemDark ? 'dark' : 'light';
}

/** The toggle's next choice: it flips what is shown, and goes back to following the system when that matches. */
export function nextChoice(shown: Theme, systemDark: boolean): ThemeChoice {
  const next: Theme = shown === 'dark' ? 'light' : 'dark';
  return (next === 'dark') === systemDark ? 'system' : next;
}

const listeners = new Set<() => void>();
const media = (): MediaQueryList | undefined => (typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : undefined);
const stored = (): string | null => {
  try {
    return window.localStorage.getItem(THEME_KEY);
  } catch {
    return null;
  }
};

let current: Theme = 'light';

function apply(): void {
  const next = themeFor(stored(), media()?.matches ?? false);
  document.documentElement.dataset.theme = next;
  if (next === current) return;
  current = next;
  for (const l of listeners) l();
}

/** Starts following the system and the stored choice (once, at startup). */
export function startTheme(): void {
  current = themeFor(stored(), media()?.matches ?? false);
  document.documentElement.dataset.theme = current;
  media()?.addEventListener('change', apply);
}

/** The theme shown now. */
export function currentTheme(): Theme {
  return current;
}

/** Flips the theme shown and remembers the choice. */
export function toggleTheme(): void {
  const choice = nextChoice(current, media()?.matches ?? false);
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_KEY);
    else window.localStorage.setItem(THEME_KEY, choice);
  } catch {
    // storage refused (private window): the toggle still works until reload
  }
  apply();
}

/** For useSyncExternalStore. */
export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
