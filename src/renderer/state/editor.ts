/**
 * The editor's state: the document's undo history, the selection, the file it came from and
 * whether it changed since. A reducer over the pure editor commands of src/shared/document;
 * no React, no cytoscape, so it is tested under Node.
 */
import { apply, createHistory, redo, undo, type History } from '../../shared/document/history.js';
import { describeRemoval, type Doc, type EditorCommand, type Removal } from '../../shared/document/commands.js';

export interface EditorState {
  history: History;
  selection: string[];
  path: string | null;
  /** The document text when last opened or saved; the document is dirty when it differs. */
  savedText: string;
  /** A refusal from the last command, shown until the next one. */
  error: string | null;
  /** What the last command did that the user may not have seen (a delete's other removals), with Undo; cleared by the next action. */
  notice: string | null;
}

export type EditorAction =
  | { type: 'command'; command: EditorCommand; mergeKey?: string }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'select'; ids: string[] }
  | { type: 'load'; doc: Doc; path: string | null; dirty?: boolean }
  | { type: 'saved'; path: string; text: string }
  | { type: 'error'; message: string | null }
  /** The toast went away: forget its refusal or notice. */
  | { type: 'dismiss' };

/** The canonical file text of a document (what Save writes). */
export function documentText(doc: Doc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function initialEditor(doc: Doc, path: string | null = null): EditorState {
  return { history: createHistory(doc), selection: [], path, savedText: documentText(doc), error: null, notice: null };
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
        const { history, selection, alsoRemoved } = apply(state.history, action.command, action.mergeKey !== undefined ? { mergeKey: action.mergeKey } : {});
        const renamed = renameOf(action.command);
        const kept = renamed ? state.selection.map((id) => (id === renamed.from ? renamed.to : id)) : state.selection;
        // New elements (add, connect, paste) become the selection; otherwise it keeps what still exists.
        const creates = ['addNode', 'addNote', 'connect', 'paste'].includes(action.command.type);
        const notice = action.command.type === 'delete' && alsoRemoved ? deleteNotice(state.history.present, action.command.ids, alsoRemoved) : null;
        return { ...state, history, selection: creates && selection ? selection : existing(history.present, kept), error: null, notice };
      } catch (e) {
        return { ...state, error: (e as Error).message, notice: null };
      }
    }
    case 'undo': {
      const history = undo(state.history);
      return { ...state, history, selection: existing(history.present, state.selection), error: null, notice: null };
    }
    case 'redo': {
      const history = redo(state.history);
      return { ...state, history, selection: existing(history.present, state.selection), error: null, notice: null };
    }
    case 'select':
      return sameIds(state.selection, action.ids) ? state : { ...state, selection: action.ids };
    case 'load':
      return { ...initialEditor(action.doc, action.path), ...(action.dirty ? { savedText: '' } : {}) };
    case 'saved':
      return { ...state, path: action.path, savedText: action.text };
    case 'error':
      return { ...state, error: action.message };
    case 'dismiss':
      return state.error === null && state.notice === null ? state : { ...state, error: null, notice: null };
  }
}

/** `Deleted vnet0. Also removed: 3 links (...); ...`: what a delete took besides the selection. */
export function deleteNotice(before: Doc, ids: readonly string[], alsoRemoved: readonly Removal[]): string {
  const all = [...(before.nodes ?? []), ...(before.links ?? []), ...(before.notes ?? []), ...(before.probes ?? []), ...(before.nat?.masquerade ?? []), ...(before.nat?.portForwards ?? [])];
  const asked = new Set(ids);
  const deleted = all.filter((x) => asked.has(x.id)).map((x) => x.id);
  return `Deleted ${deleted.join(', ')}. ${describeRemoval(alsoRemoved)}`;
}

/**
 * What autosave does after a change: save the unsaved drawing; or, when the drawing is back to
 * what is saved (undo, or a save) and this session autosaved it, discard the autosave, so the
 * recovery banner never offers a stale drawing. `none` when neither applies (a clean start must
 * not discard a recovery the user has not answered yet).
 */
export function autosaveAction(dirty: boolean, autosaved: boolean): 'save' | 'discard' | 'none' {
  if (dirty) return 'save';
  return autosaved ? 'discard' : 'none';
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
