/**
 * Editor commands: what the canvas dispatches, as data, and one pure `perform()` that turns a
 * document into the next one. Documents are never mutated; unchanged parts are shared, and a
 * command that changes nothing returns the document it was given.
 *
 * Proposals the commands make, so that a drawing is a working lab without typing:
 * - addNode names nodes in the tutorial's style (red, blue, ... ns1; router1; vnet0; host;
 *   internet) and adds bridges without an address: a bare bridge is a switch (tutorial step 5);
 *   giving it an address makes the host part of the segment, which is the user's choice.
 * - connect writes interface names explicitly (veth-red / veth-blue, veth-red on the namespace
 *   and veth-red-br on the bridge) and proposes addresses: on a bridge, the next free address of
 *   the segment's subnet (a bridge with neither an address nor addressed ports starts a fresh
 *   /24 at .1, the tutorial's 192.168.15.0/24 first); between two namespaces, a fresh /24 with .1
 *   and .2. The host's end of a link prefers host number 5 (the tutorial's 192.168.15.5).
 * - A namespace that connect puts on a segment where the host has an address (a bridge address
 *   or the host's end of the new link), and that has no default route of that family yet, gets
 *   `{to: 'default', via: HOST ADDRESS}`: the bridge address is the gateway of its namespaces.
 *   No name servers are added (the validator suggests them once the lab has an Internet node).
 * - connect refuses (CommandError) what can only be a mistake: a node to itself, a pair that is
 *   already linked, a missing node, the Internet to anything but the host, a second uplink, a
 *   loop between bridges, and joining two bridges whose segments carry different subnets.
 *
 * Edits keep the document consistent: a rename (updateNode with `id`, or a new namespace or
 * bridge `name`) carries link ends, probes, link ids of the `red-blue` form, interface names of
 * the veth-red form and routes naming them by `dev` along; delete and paste are described on
 * their functions. The rest is left to the validator, which names the fix.
 */
import type { NodeKind } from '../model/topology.js';
import { addNode, addNote, updateNote } from './commands/add.js';
import { CommandError, type Clipboard, type CommandResult, type Doc, type DocPatch, type Pos } from './commands/common.js';
import { connect } from './commands/connect.js';
import { remove } from './commands/delete.js';
export { describeRemoval } from './commands/delete.js';
import { updateDoc, updateLink, updateNode } from './commands/edit.js';
import { move } from './commands/move.js';
import { paste } from './commands/paste.js';

export type { EndInput, LinkInput, NodeInput, NoteInput, ProbeInput, RouteInput } from './view.js';
export { CommandError, HOST_NUMBER, INTERNET_TARGET, type Clipboard, type CommandResult, type Doc, type DocPatch, type Pos, type Removal } from './commands/common.js';

/** Everything the canvas can do to a document. */
export type EditorCommand =
  | { type: 'addNode'; kind: NodeKind; position: Pos; router?: boolean }
  | { type: 'connect'; from: string; to: string }
  | { type: 'move'; moves: { id: string; position: Pos }[] }
  | { type: 'delete'; ids: string[] }
  | { type: 'updateNode'; id: string; patch: Record<string, unknown> }
  | { type: 'updateLink'; id: string; patch: Record<string, unknown> }
  | { type: 'updateDoc'; patch: DocPatch }
  | { type: 'addNote'; position: Pos; text?: string }
  | { type: 'updateNote'; id: string; text: string }
  | { type: 'paste'; clipboard: Clipboard; offset: Pos }
  | { type: 'replace'; doc: Doc };


/** Applies a command. Pure: `doc` is never mutated. Throws CommandError when the command cannot apply. */
export function perform(doc: Doc, cmd: EditorCommand): CommandResult {
  switch (cmd.type) {
    case 'addNode':
      return addNode(doc, cmd.kind, cmd.position, cmd.router === true);
    case 'connect':
      return connect(doc, cmd.from, cmd.to);
    case 'move':
      return { doc: move(doc, cmd.moves) };
    case 'delete':
      return remove(doc, cmd.ids);
    case 'updateNode':
      return updateNode(doc, cmd.id, cmd.patch);
    case 'updateLink':
      return updateLink(doc, cmd.id, cmd.patch);
    case 'updateDoc':
      return { doc: updateDoc(doc, cmd.patch) };
    case 'addNote':
      return addNote(doc, cmd.position, cmd.text ?? 'Note');
    case 'updateNote':
      return { doc: updateNote(doc, cmd.id, cmd.text) };
    case 'paste':
      return paste(doc, cmd.clipboard, cmd.offset);
    case 'replace':
      return { doc: cmd.doc, selection: [] };
    default:
      throw new CommandError(`unknown editor command ${JSON.stringify((cmd as { type?: unknown }).type)}`);
  }
}

/** A new, empty, valid document. */
export function emptyDocument(name = 'lab'): Doc {
  return { version: 1, name, nodes: [], links: [] };
}

/**
 * The selected nodes and notes with the links between them. A selected link brings both of its
 * nodes along, because a cable without its ends cannot be pasted. Probes and NAT rules are not
 * copied (they point at addresses that a paste changes).
 */
export function copySelection(doc: Doc, ids: readonly string[]): Clipboard {
  const selected = new Set(ids);
  const links = doc.links ?? [];
  const nodeIds = new Set((doc.nodes ?? []).filter((n) => selected.has(n.id)).map((n) => n.id));
  for (const l of links) {
    if (selected.has(l.id)) {
      nodeIds.add(l.a.node);
      nodeIds.add(l.b.node);
    }
  }
  return structuredClone({
    nodes: (doc.nodes ?? []).filter((n) => nodeIds.has(n.id)),
    links: links.filter((l) => nodeIds.has(l.a.node) && nodeIds.has(l.b.node)),
    notes: (doc.notes ?? []).filter((n) => selected.has(n.id)),
  });
}
