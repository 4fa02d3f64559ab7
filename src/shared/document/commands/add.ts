/**
 * addNode and the notes: new elements named in the tutorial's style.
 */
import type { NodeKind } from '../../model/topology.js';
import { proposeNodeId } from '../names.js';
import { takenNames, type NodeInput, type NoteInput } from '../view.js';
import { CommandError, INTERNET_TARGET, KIND_LABEL, type CommandResult, type Doc, type Pos } from './common.js';

/** Adds a node named in the tutorial style; one Host and one Internet node at most. */
export function addNode(doc: Doc, kind: NodeKind, position: Pos, router: boolean): CommandResult {
  if (router && kind !== 'namespace') throw new CommandError(`a ${KIND_LABEL[kind]} cannot be drawn as a router; only a namespace can, so add a namespace with router set`);
  const nodes = doc.nodes ?? [];
  const existing = nodes.find((n) => n.kind === kind);
  if (existing && kind === 'host') {
    throw new CommandError(`the lab already has a Host node (${existing.id}) and there is only one host; connect to ${existing.id} instead of adding another`, existing.id);
  }
  if (existing && kind === 'internet') {
    throw new CommandError(`the lab already has an Internet node (${existing.id}); link the host to ${existing.id} instead of adding another`, existing.id);
  }
  const id = proposeNodeId(router ? 'router' : kind, takenNames(doc));
  const at = { x: position.x, y: position.y };
  const node: NodeInput =
    kind === 'namespace'
      ? { id, kind, ...(router ? { router: true } : {}), position: at }
      : kind === 'bridge'
        ? { id, kind, position: at }
        : kind === 'host'
          ? { id, kind, uplink: 'eth0', position: at }
          : { id, kind, target: INTERNET_TARGET, position: at };
  return { doc: { ...doc, nodes: [...nodes, node] }, selection: [id] };
}

/** A free-text note on the canvas (note1, note2, ...); the compiler ignores it. */
export function addNote(doc: Doc, position: Pos, text: string): CommandResult {
  const taken = takenNames(doc);
  let n = 1;
  while (taken.has(`note${n}`)) n++;
  const note: NoteInput = { id: `note${n}`, text, position: { x: position.x, y: position.y } };
  return { doc: { ...doc, notes: [...(doc.notes ?? []), note] }, selection: [note.id] };
}

/** Changes a note's text. */
export function updateNote(doc: Doc, id: string, text: string): Doc {
  const notes = doc.notes ?? [];
  const index = notes.findIndex((n) => n.id === id);
  if (index < 0) throw new CommandError(`there is no note ${id}; it may have been deleted`, id);
  if (notes[index]!.text === text) return doc;
  return { ...doc, notes: notes.map((n, i) => (i === index ? { ...n, text } : n)) };
}
