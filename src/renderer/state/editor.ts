/**
 * The editor's state: the document's undo history, the selection, the file it came from and
 * whether it changed since. A reducer over the pure editor commands of src/shared/document;
 * no React, no cytoscape, so it is tested under Node.
 */
import { apply, createHistory, redo, undo, type History } from '../../shared/document/history.js';
import type { Doc, EditorCommand } from '../../shared/document/commands.js';

export interface EditorState {
  history: History;
  selection: string[];
  path: string | null;
  /** The document text when last opened or saved; the document is dirty when it differs. */
  savedText: string;
  /** A refusal from the last command, shown until the next one. */
  error: string | null;
}

export type EditorAction =
  | { type: 'command'; command: EditorCommand; mergeKey?: string }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'select'; ids: string[] }
  | { type: 'load'; doc: Doc; path: string | null; dirty?: boolean }
  | { type: 'saved'; path: string; text: string }
  | { type: 'error'; message: string | null };

/** The canonical file text of a document (what Save writes). */
export function documentText(doc: Doc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function initialEditor(doc: Doc, path: string | null = null): EditorState {
  return { history: createHistory(doc), selection: [], path, savedText: documentText(doc), error: null };
}

export function isDirty(state: EditorState): boolean {
  return documentText(state.history.present) !== state.savedText;
}

/** Ids that still exist in `doc`. */
function existing(doc: Doc, ids: readonly string[]): string[] {
  const all = new Set<string>();
  for (const n of doc.nodes ?? []) all.add(n.id);
  for (const l of doc.links ?? []) all.add(l.id);
  for (const n of doc.notes ?? []) all.add(n.id);
  return ids.filter((id) => all.has(id));
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'command': {
      try {
        const { history, selection } = apply(state.history, action.command, action.mergeKey !== undefined ? { mergeKey: action.mergeKey } : {});
        const renamed = renameOf(action.command);
        const kept = renamed ? state.selection.map((id) => (id === renamed.from ? renamed.to : id)) : state.selection;
        // New elements (add, connect, paste) become the selection; otherwise it keeps what still exists.
        const creates = ['addNode', 'addNote', 'connect', 'paste'].includes(action.command.type);
        return { ...state, history, selection: creates && selection ? selection : existing(history.present, kept), error: null };
      } catch (e) {
        return { ...state, error: (e as Error).message };
      }
    }
    case 'undo': {
      const history = undo(state.history);
      return { ...state, history, selection: existing(history.present, state.selection), error: null };
    }
    case 'redo': {
      const history = redo(state.history);
      return { ...state, history, selection: existing(history.present, state.selection), error: null };
    }
    case 'select':
      return sameIds(state.selection, action.ids) ? state : { ...state, selection: action.ids };
    case 'load':
      return { ...initialEditor(action.doc, action.path), ...(action.dirty ? { savedText: '' } : {}) };
    case 'saved':
      return { ...state, path: action.path, savedText: action.text };
    case 'error':
      return { ...state, error: action.message };
  }
}

/** A rename through updateNode/updateLink: the selection follows the element. */
function renameOf(command: EditorCommand): { from: string; to: string } | undefined {
  if ((command.type === 'updateNode' || command.type === 'updateLink') && typeof command.patch.id === 'string' && command.patch.id !== command.id) {
    return { from: command.id, to: command.patch.id };
  }
  return undefined;
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
