/** Keyboard shortcuts of the canvas: a key press to a command. Pure, tested under Node. */
import type { MenuCommand } from '../shared/ipc/contract.js';

export type Shortcut = MenuCommand | 'link-mode' | 'grid';

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The command for a key press; `typing` is true in a text field (only Ctrl/Cmd chords count there). */
export function shortcutFor(e: KeyLike, typing: boolean): Shortcut | undefined {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (key === 'z') return e.shiftKey ? 'redo' : typing ? undefined : 'undo';
    if (key === 'y') return typing ? undefined : 'redo';
    if (key === 's') return e.shiftKey ? 'save-as' : 'save';
    if (key === 'o') return 'open';
    if (key === 'n') return 'new';
    if (key === 'e') return 'export-script';
    if (key === 'l') return 'layout';
    if (key === 'Enter') return 'deploy';
    if (typing) return undefined;
    if (key === 'c') return 'copy';
    if (key === 'x') return 'cut';
    if (key === 'v') return 'paste';
    if (key === 'a') return 'select-all';
    if (key === '=' || key === '+') return 'zoom-in';
    if (key === '-') return 'zoom-out';
    if (key === '0') return 'fit';
    return undefined;
  }
  if (typing || e.altKey) return undefined;
  if (key === 'Delete' || key === 'Backspace') return 'delete';
  if (key === 'l') return 'link-mode';
  if (key === 'g') return 'grid';
  if (key === 'f') return 'fit';
  if (key === '+' || key === '=') return 'zoom-in';
  if (key === '-') return 'zoom-out';
  return undefined;
}
