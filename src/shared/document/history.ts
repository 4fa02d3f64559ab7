/**
 * Undo and redo as plain data, with excalidraw's explicit rule for what enters history:
 * - every command that changes the document is one entry;
 * - commands in a row with the same `mergeKey` are one entry (a drag, typing in one field);
 * - a command that changes nothing adds no entry;
 * - `replace` (loading a file or a template) is not undoable: it starts a new history.
 * Documents are shared, never copied: commands never mutate them.
 */
import { perform, type Doc, type EditorCommand, type Removal } from './commands.js';
import { sameValue } from './patch.js';

/** Undo steps kept; older ones are forgotten. */
export const HISTORY_LIMIT = 200;

export interface History {
  past: Doc[];
  present: Doc;
  future: Doc[];
  /** mergeKey of the command that made `present`, while the next command may still merge into it. */
  lastKey?: string;
}

/** A history whose present is `doc`, with nothing to undo. */
export function createHistory(doc: Doc): History {
  return { past: [], present: doc, future: [] };
}

/** Performs the command and records it by the rule above. Throws the command's CommandError unchanged. */
export function apply(h: History, cmd: EditorCommand, options: { mergeKey?: string } = {}): { history: History; selection?: string[]; alsoRemoved?: Removal[] } {
  const { doc, selection, alsoRemoved } = perform(h.present, cmd);
  const result = (history: History) => ({ history, ...(selection !== undefined ? { selection } : {}), ...(alsoRemoved?.length ? { alsoRemoved } : {}) });
  if (cmd.type === 'replace') return result(createHistory(doc));
  if (doc === h.present || sameValue(doc, h.present)) return result(h);
  const key = options.mergeKey;
  if (key !== undefined && key === h.lastKey) return result({ past: h.past, present: doc, future: [], lastKey: key });
  const past = h.past.length >= HISTORY_LIMIT ? [...h.past.slice(h.past.length - HISTORY_LIMIT + 1), h.present] : [...h.past, h.present];
  return result({ past, present: doc, future: [], ...(key !== undefined ? { lastKey: key } : {}) });
}

/** The document before the last entry; the history itself when there is nothing to undo. */
export function undo(h: History): History {
  const previous = h.past.at(-1);
  if (previous === undefined) return h;
  return { past: h.past.slice(0, -1), present: previous, future: [h.present, ...h.future] };
}

/** The document undo went back from; the history itself when there is nothing to redo. */
export function redo(h: History): History {
  const next = h.future[0];
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(1) };
}

export function canUndo(h: History): boolean {
  return h.past.length > 0;
}

export function canRedo(h: History): boolean {
  return h.future.length > 0;
}
