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
  /**
   * The document whose text is savedText, when known: isDirty compares with it instead of
   * writing the present document's text (which at 1,000 namespaces took a fifth of an edit).
   */
  savedDoc?: Doc;
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
  return { history: createHistory(doc), selection: [], path, savedText: documentText(doc), savedDoc: doc, error: null, notice: null };
}

export function isDirty(state: EditorState): boolean {
  if (state.savedDoc !== undefined) return !sameJson(state.history.present, state.savedDoc);
  return documentText(state.history.present) !== state.savedText;
}

/**
 * Whether two JSON values are written alike by JSON.stringify (documentText): the same keys in
 * the same order with values written alike, a key whose value JSON leaves out (undefined) as
 * absent. Parts one edit left as they were are the same objects, so after an edit it looks
 * only along the path the edit changed.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return JSON.stringify(a) === JSON.stringify(b);
  if ('toJSON' in a || 'toJSON' in b) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    // In a list, what JSON cannot write is written null.
    const inList = (v: unknown): unknown => (isObject(v) || JSON.stringify(v) !== undefined ? v : null);
    for (let i = 0; i < a.length; i++) if (!sameJson(inList(a[i]), inList(b[i]))) return false;
    return true;
  }
  // Objects are always written (and never stringified here: that would write the whole part).
  const written = (o: object): string[] => Object.keys(o).filter((k) => isObject((o as Record<string, unknown>)[k]) || JSON.stringify((o as Record<string, unknown>)[k]) !== undefined);
  const ka = written(a);
  const kb = written(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameJson((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
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
    case 'load': {
      const fresh = initialEditor(action.doc, action.path);
      if (!action.dirty) return fresh;
      // Recovered, unsaved: dirty whatever it holds.
      const { savedDoc: _, ...rest } = fresh;
      return { ...rest, savedText: '' };
    }
    case 'saved': {
      // The text written is the present document's unless it changed while the file was written.
      const { savedDoc: _, ...rest } = state;
      return documentText(state.history.present) === action.text ? { ...rest, path: action.path, savedText: action.text, savedDoc: state.history.present } : { ...rest, path: action.path, savedText: action.text };
    }
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
