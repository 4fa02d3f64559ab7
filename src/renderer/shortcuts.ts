/** Keyboard shortcuts of the canvas: a key press to a command. Pure, tested under Node. */
import type { MenuCommand } from '../shared/ipc/contract.js';

export type Shortcut = MenuCommand | 'link-mode' | 'grid' | 'help';

/** The shortcuts as the help overlay lists them. */
export const SHORTCUT_HELP: readonly (readonly [keys: string, what: string])[] = [
  ['L', 'draw links: press on a node, release on another'],
  ['Esc', 'leave link mode, clear the selection'],
  ['Shift / Ctrl + click, drag a box', 'add to the selection'],
  ['Delete', 'delete the selection'],
  ['Ctrl+C  Ctrl+X  Ctrl+V', 'copy, cut, paste'],
  ['Ctrl+A', 'select everything'],
  ['Ctrl+Z  Ctrl+Shift+Z  Ctrl+Y', 'undo, redo (a drag is one step)'],
  ['Ctrl+L', 'auto-layout'],
  ['Ctrl+F', 'find a node by name or address'],
  ['F  Ctrl+0', 'fit the drawing'],
  ['+  -', 'zoom'],
  ['G', 'snap to the grid on or off'],
  ['Ctrl+N  Ctrl+O  Ctrl+S  Ctrl+Shift+S', 'new, open, save, save as'],
  ['Ctrl+E', 'export lab.sh'],
  ['Ctrl+Enter', 'deploy to the chosen host'],
  ['?', 'this list'],
];

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
  if (key === '?') return 'help';
  if (key === 'f') return 'fit';
  if (key === '+' || key === '=') return 'zoom-in';
  if (key === '-') return 'zoom-out';
  return undefined;
}
