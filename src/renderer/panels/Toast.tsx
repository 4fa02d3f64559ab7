/**
 * The toast over the canvas: a refused edit (why a link cannot be drawn) or what a delete took
 * along with the selection (with Undo), where the user is looking rather than only in the status
 * bar. It goes away by itself, with its close button, or with the next action.
 */
import { useEffect } from 'react';

/** How long a toast stays: long enough to read a list of removals. */
export const TOAST_MS = { error: 6000, notice: 10000 } as const;

export function Toast(props: { error: string | null; notice: string | null; onUndo(): void; onDismiss(): void }) {
  const { error, notice, onDismiss } = props;
  const text = error ?? notice;
  useEffect(() => {
    if (text === null) return;
    const timer = setTimeout(onDismiss, error !== null ? TOAST_MS.error : TOAST_MS.notice);
    return () => clearTimeout(timer);
  }, [text, error, onDismiss]);
  if (text === null) return null;
  return (
    <div className={`toast${error !== null ? ' error' : ''}`} role={error !== null ? 'alert' : 'status'} data-testid="toast">
      <span data-testid="toast-text">{text}</span>
      {error === null && (
        <button type="button" onClick={props.onUndo} data-testid="toast-undo">
          Undo
        </button>
      )}
      <button type="button" className="close" onClick={onDismiss} aria-label="Dismiss" data-testid="toast-close">
        ×
      </button>
    </div>
  );
}
