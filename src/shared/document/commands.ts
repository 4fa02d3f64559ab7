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
import { NAME_MAX, NAME_PATTERN, type NodeKind, type TopologyInput } from '../model/topology.js';
import { formatIp, parseCidr, parseIp, type Cidr, type Family } from '../model/net.js';
import type { Iface, Resolved } from '../model/resolve.js';
import { AddressBook, addressString, inSubnet, subnetOf, subnetString, type Subnet } from './addresses.js';
import { idForCopy, ifnameCandidates, InterfaceNames, isSchemeName, namedNode, proposeNodeId, uniqueId } from './names.js';
import { shallowPatch, sameValue } from './patch.js';
import {
  elementIds,
  nodeNameOf,
  resolveDocument,
  takenNames,
  type EndInput,
  type LinkInput,
  type NodeInput,
  type NoteInput,
  type RouteInput,
} from './view.js';

export type { EndInput, LinkInput, NodeInput, NoteInput, ProbeInput, RouteInput } from './view.js';

/** Documents as written (defaults optional). */
export type Doc = TopologyInput;
export type Pos = { x: number; y: number };

/** Everything the canvas can do to a document. */
export type EditorCommand =
  | { type: 'addNode'; kind: NodeKind; position: Pos; router?: boolean }
  | { type: 'connect'; from: string; to: string }
  | { type: 'move'; moves: { id: string; position: Pos }[] }
  | { type: 'delete'; ids: string[] }
  | { type: 'updateNode'; id: string; patch: Record<string, unknown> }
  | { type: 'updateLink'; id: string; patch: Record<string, unknown> }
  | { type: 'updateDoc'; patch: { name?: string; title?: string; description?: string; nat?: Doc['nat']; probes?: Doc['probes'] } }
  | { type: 'addNote'; position: Pos; text?: string }
  | { type: 'updateNote'; id: string; text: string }
  | { type: 'paste'; clipboard: Clipboard; offset: Pos }
  | { type: 'replace'; doc: Doc };

/** Copied elements: independent deep copies, so the document may change after copying. */
export interface Clipboard {
  nodes: NodeInput[];
  links: LinkInput[];
  notes: NoteInput[];
}

/** The next document, and the ids the UI should select (created elements; empty after delete). */
export interface CommandResult {
  doc: Doc;
  selection?: string[];
}

/** A command the document refuses; the message names the element and the fix, for the UI to show. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  /** Id of the element the command was about, when there is one. */
  readonly element: string | null;
  constructor(message: string, element: string | null = null) {
    super(message);
    this.element = element;
  }
}

/** The host's preferred host number on a subnet: 192.168.15.5 in the tutorial. */
export const HOST_NUMBER = 5;
/** The target the Internet node gets: an address of TEST-NET-3, the tutorial's outside. */
export const INTERNET_TARGET = '203.0.113.1';

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

// ---------------------------------------------------------------------------------------------
// addNode

const KIND_LABEL: Record<NodeKind, string> = { namespace: 'namespace', bridge: 'bridge', host: 'Host node', internet: 'Internet node' };

function addNode(doc: Doc, kind: NodeKind, position: Pos, router: boolean): CommandResult {
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
function addNote(doc: Doc, position: Pos, text: string): CommandResult {
  const taken = takenNames(doc);
  let n = 1;
  while (taken.has(`note${n}`)) n++;
  const note: NoteInput = { id: `note${n}`, text, position: { x: position.x, y: position.y } };
  return { doc: { ...doc, notes: [...(doc.notes ?? []), note] }, selection: [note.id] };
}

function updateNote(doc: Doc, id: string, text: string): Doc {
  const notes = doc.notes ?? [];
  const index = notes.findIndex((n) => n.id === id);
  if (index < 0) throw new CommandError(`there is no note ${id}; it may have been deleted`, id);
  if (notes[index]!.text === text) return doc;
  return { ...doc, notes: notes.map((n, i) => (i === index ? { ...n, text } : n)) };
}

// ---------------------------------------------------------------------------------------------
// connect

function isDefaultRoute(route: RouteInput, family: Family): boolean {
  if (route.to === (family === 4 ? 'default' : 'default6')) return true;
  const c = parseCidr(route.to);
  return c !== undefined && c.family === family && c.prefix === 0;
}

/** The first address of each family on a segment: the subnet the validator holds the segment to. */
function segmentSubnets(members: readonly Iface[]): Subnet[] {
  const byFamily = new Map<Family, Subnet>();
  for (const m of members) for (const c of m.addresses) if (!byFamily.has(c.family)) byFamily.set(c.family, subnetOf(c));
  return [...byFamily.values()];
}

/** The host's own address of each family on a segment (bridge device or host veth end). */
function hostAddresses(members: readonly Iface[]): Map<Family, bigint> {
  const out = new Map<Family, bigint>();
  for (const m of members) if (m.netns === null) for (const c of m.addresses) if (!out.has(c.family)) out.set(c.family, c.value);
  return out;
}

function findNode(doc: Doc, id: string): NodeInput | undefined {
  return (doc.nodes ?? []).find((n) => n.id === id);
}

function netnsOf(node: NodeInput): string | null {
  return node.kind === 'namespace' ? nodeNameOf(node) : null;
}

function connect(doc: Doc, from: string, to: string): CommandResult {
  const a = findNode(doc, from);
  const b = findNode(doc, to);
  if (!a || !b) {
    const missing = a ? to : from;
    throw new CommandError(`cannot connect ${from} to ${to}: node "${missing}" does not exist; connect existing nodes`, missing);
  }
  if (from === to) throw new CommandError(`${from} cannot be connected to itself; drag the link to another node`, from);
  const links = doc.links ?? [];
  const twin = links.find((l) => (l.a.node === from && l.b.node === to) || (l.a.node === to && l.b.node === from));
  if (twin) throw new CommandError(`${from} and ${to} are already connected by link ${twin.id}; edit that link instead`, twin.id);
  const internet = [a, b].find((n) => n.kind === 'internet');
  if (internet) {
    const other = internet === a ? b : a;
    if (other.kind !== 'host') {
      throw new CommandError(`the Internet node ${internet.id} can only be linked to the Host node, not to ${other.kind} ${other.id}; connect ${other.id} to a bridge or the host instead`, other.id);
    }
    const uplinked = links.find((l) => [l.a.node, l.b.node].includes(other.id) && [l.a.node, l.b.node].some((id) => findNode(doc, id)?.kind === 'internet'));
    if (uplinked) throw new CommandError(`the host ${other.id} is already linked to the Internet by link ${uplinked.id}; remove that link first`, uplinked.id);
  }

  const id = uniqueId(`${from}-${to}`, elementIds(doc));
  // The uplink takes neither names nor addresses: the host's uplink interface is its own.
  if (internet) return { doc: { ...doc, links: [...links, { id, a: { node: from }, b: { node: to } }] }, selection: [id] };

  const r = resolveDocument(doc);
  const names = InterfaceNames.of(r);
  const book = AddressBook.of(doc, r);
  const ifnames = [names.propose(netnsOf(a), ifnameCandidates(namedNode(a), namedNode(b))), names.propose(netnsOf(b), ifnameCandidates(namedNode(b), namedNode(a)))];

  if (a.kind === 'bridge' && b.kind === 'bridge') refuseBridgeJoin(r, a.id, b.id);
  const bridge = [a, b].find((n) => n.kind === 'bridge');
  const segment = bridge && segmentOfBridge(r, bridge.id);
  let subnets = segment ? segmentSubnets(segment.members) : [];
  const label = segment ? segment.label : id;
  const addressed = [a, b].map((n) => n.kind === 'namespace' || n.kind === 'host');
  if (subnets.length === 0 && addressed.some(Boolean)) {
    const fresh = book.freshSubnet24();
    if (!fresh) throw new CommandError(`link ${id}: every /24 the editor proposes (in 192.168.0.0/16 and 10.0.0.0/8) is in use; write this link with addresses of your own in the JSON`, id);
    subnets = [fresh];
  }
  const addresses = [a, b].map((node, i) => {
    if (!addressed[i]) return [];
    return subnets.map((s) => {
      const value = book.nextFree(s, node.kind === 'host' ? HOST_NUMBER : undefined);
      if (value === undefined) throw new CommandError(`segment ${label} has no free address left in ${subnetString(s)} for ${node.id}; use a larger subnet`, node.id);
      return addressString(s, value);
    });
  });

  const gateways = segment ? hostAddresses(segment.members) : new Map<Family, bigint>();
  [a, b].forEach((node, i) => {
    if (node.kind !== 'host') return;
    for (const text of addresses[i]!) {
      const c = parseCidr(text)!;
      if (!gateways.has(c.family)) gateways.set(c.family, c.value);
    }
  });
  let nodes = doc.nodes ?? [];
  for (const node of [a, b]) {
    if (node.kind !== 'namespace' || gateways.size === 0) continue;
    const routes = node.routes ?? [];
    // A namespace already on another segment with the gateway's subnet would reach the gateway there, where nothing owns it.
    const own = r.l3ByNode.get(node.id) ?? [];
    const added = [...gateways]
      .filter(([family, value]) => !routes.some((route) => isDefaultRoute(route, family)) && !own.some((i) => i.addresses.some((c) => inSubnet(subnetOf(c), family, value))))
      .map(([family, value]): RouteInput => ({ to: family === 4 ? 'default' : 'default6', via: formatIp(family, value) }));
    if (added.length > 0) nodes = nodes.map((n) => (n === node ? { ...node, routes: [...routes, ...added] } : n));
  }

  const end = (node: NodeInput, i: number): EndInput => ({ node: node.id, ifname: ifnames[i]!, ...(addresses[i]!.length > 0 ? { addresses: addresses[i] } : {}) });
  const link: LinkInput = { id, a: end(a, 0), b: end(b, 1) };
  return { doc: { ...doc, nodes, links: [...links, link] }, selection: [id] };
}

/**
 * Joining two bridges makes one segment, which can carry only one subnet per family; and two
 * bridges already joined through others would form a loop (the lab's bridges run without STP).
 */
function refuseBridgeJoin(r: Resolved, x: string, y: string): void {
  const [sx, sy] = [segmentOfBridge(r, x), segmentOfBridge(r, y)];
  if (!sx || !sy) return;
  if (sx === sy) {
    throw new CommandError(`${x} and ${y} are already joined through other bridges; another link between them would make a loop where frames circle forever, so leave it out`, y);
  }
  for (const one of segmentSubnets(sx.members)) {
    const other = segmentSubnets(sy.members).find((s) => s.family === one.family);
    if (other && subnetString(other) !== subnetString(one)) {
      throw new CommandError(
        `${x} carries ${subnetString(one)} and ${y} carries ${subnetString(other)}; a link would make them one segment with two subnets, so connect them through a router namespace instead`,
        y,
      );
    }
  }
}

function segmentOfBridge(r: Resolved, bridgeId: string) {
  const device = r.bridges.find((i) => i.element === bridgeId);
  return device && r.segments.find((s) => s.id === device.segment);
}

// ---------------------------------------------------------------------------------------------
// move

function move(doc: Doc, moves: readonly { id: string; position: Pos }[]): Doc {
  const to = new Map(moves.map((m) => [m.id, m.position]));
  const place = <T extends { id: string; position?: Pos | undefined }>(item: T): T => {
    const p = to.get(item.id);
    if (!p || (item.position && item.position.x === p.x && item.position.y === p.y)) return item;
    return { ...item, position: { x: p.x, y: p.y } };
  };
  const nodes = mapShared(doc.nodes, place);
  const notes = mapShared(doc.notes, place);
  if (nodes === doc.nodes && notes === doc.notes) return doc;
  return { ...doc, ...(nodes ? { nodes } : {}), ...(notes ? { notes } : {}) };
}

/** `list.map(f)`, but the list itself when `f` returned every item unchanged. */
function mapShared<T>(list: T[] | undefined, f: (item: T) => T): T[] | undefined {
  if (!list) return list;
  let changed = false;
  const out = list.map((item) => {
    const next = f(item);
    if (next !== item) changed = true;
    return next;
  });
  return changed ? out : list;
}

/** `list.filter(keep)`, but the list itself when nothing was dropped. */
function filterShared<T>(list: T[] | undefined, keep: (item: T) => boolean): T[] | undefined {
  if (!list) return list;
  const out = list.filter(keep);
  return out.length === list.length ? list : out;
}

// ---------------------------------------------------------------------------------------------
// delete

const addressKey = (family: Family, value: bigint) => `${family}:${value}`;

/**
 * Removes the elements and everything that only made sense with them: links touching removed
 * nodes; probes from or to removed nodes, to removed addresses or to a node left without any
 * address; port forwards to removed addresses; masquerade rules whose subnet lost its last
 * address; and routes of the remaining nodes that worked before and no longer do (their `dev`
 * went, or their gateway is no longer owned by anything on a connected segment). NAT rules stay
 * when the host or the Internet node goes: the validator then says what they need.
 */
function remove(doc: Doc, ids: readonly string[]): CommandResult {
  const gone = new Set(ids);
  const removedNodes = new Set((doc.nodes ?? []).filter((n) => gone.has(n.id)).map((n) => n.id));
  const linkGone = (l: LinkInput) => gone.has(l.id) || removedNodes.has(l.a.node) || removedNodes.has(l.b.node);
  if (![doc.nodes, doc.links, doc.notes, doc.probes, doc.nat?.masquerade, doc.nat?.portForwards].some((list) => list?.some((x) => gone.has(x.id)))) {
    return { doc, selection: [] };
  }

  const before = resolveDocument(doc);
  const removedAddresses: Cidr[] = [];
  for (const rl of before.links) if (linkGone(rl.link)) for (const i of [rl.a, rl.b]) if (i) removedAddresses.push(...i.addresses);
  for (const dev of before.bridges) if (removedNodes.has(dev.element)) removedAddresses.push(...dev.addresses);

  const keptNodes = filterShared(doc.nodes, (n) => !removedNodes.has(n.id));
  const keptLinks = filterShared(doc.links, (l) => !linkGone(l));
  const after = resolveDocument({ ...doc, nodes: keptNodes ?? [], links: keptLinks ?? [] });
  const remaining = new Set(after.ifaces.flatMap((i) => i.addresses.map((c) => addressKey(c.family, c.value))));
  const vanished = new Set(removedAddresses.map((c) => addressKey(c.family, c.value)).filter((k) => !remaining.has(k)));
  const ipVanished = (text: string) => {
    const ip = parseIp(text);
    return ip !== undefined && vanished.has(addressKey(ip.family, ip.value));
  };

  // Only routes this delete broke go; a route that was already broken is the user's to fix.
  const [worksBefore, worksAfter] = [routeCheck(before), routeCheck(after)];
  const nodes = mapShared(keptNodes, (n) => {
    if ((n.kind !== 'namespace' && n.kind !== 'host') || !n.routes) return n;
    const routes = filterShared(n.routes, (route) => !worksBefore(n.id, route) || worksAfter(n.id, route));
    return routes === n.routes ? n : ({ ...n, routes } as NodeInput);
  });
  // A probe to a node that no longer has any address has nothing to aim at.
  const unaddressed = (id: string) => hasAddress(before, id) && !hasAddress(after, id);
  const probes = filterShared(doc.probes, (p) => !gone.has(p.id) && !removedNodes.has(p.from) && !removedNodes.has(p.to) && !ipVanished(p.to) && !unaddressed(p.to));
  let nat = doc.nat;
  if (nat) {
    const masquerade = filterShared(nat.masquerade, (m) => {
      if (gone.has(m.id)) return false;
      const source = parseCidr(m.source);
      if (!source) return true;
      const s = subnetOf(source);
      const emptied = removedAddresses.some((c) => inSubnet(s, c.family, c.value));
      return !emptied || after.ifaces.some((i) => i.addresses.some((c) => inSubnet(s, c.family, c.value)));
    });
    const portForwards = filterShared(nat.portForwards, (p) => !gone.has(p.id) && !ipVanished(p.to));
    if (masquerade !== nat.masquerade || portForwards !== nat.portForwards) nat = { ...nat, ...(masquerade ? { masquerade } : {}), ...(portForwards ? { portForwards } : {}) };
  }
  const notes = filterShared(doc.notes, (n) => !gone.has(n.id));
  const next: Doc = { ...doc };
  if (nodes) next.nodes = nodes;
  if (keptLinks) next.links = keptLinks;
  if (probes) next.probes = probes;
  if (notes) next.notes = notes;
  if (nat) next.nat = nat;
  return { doc: next, selection: [] };
}

/**
 * Whether a route of a node works in a resolved view, by the validator's rules: its `dev` exists
 * and its gateway lies on a connected subnet and is owned by another interface on that segment.
 * A host route to a gateway outside the lab's subnets may be on the uplink's network, so it counts.
 */
function routeCheck(r: Resolved): (nodeId: string, route: RouteInput) => boolean {
  let owners: Map<string, Iface> | undefined;
  const ownerOf = (family: Family, value: bigint): Iface | undefined => {
    if (!owners) {
      owners = new Map();
      for (const i of r.ifaces) for (const c of i.addresses) if (!owners.has(addressKey(c.family, c.value))) owners.set(addressKey(c.family, c.value), i);
    }
    return owners.get(addressKey(family, value));
  };
  return (nodeId, route) => {
    const node = r.nodes.get(nodeId);
    const own = r.l3ByNode.get(nodeId) ?? [];
    const uplink = node?.kind === 'host' ? node.uplink : undefined;
    if (route.dev !== undefined && route.dev !== uplink && !own.some((i) => i.name === route.dev)) return false;
    const gw = route.via === undefined ? undefined : parseIp(route.via);
    if (!gw || (route.dev !== undefined && route.dev === uplink)) return true;
    const candidates = route.dev === undefined ? own : own.filter((i) => i.name === route.dev);
    const connected = candidates.find((i) => i.addresses.some((c) => inSubnet(subnetOf(c), gw.family, gw.value)));
    if (!connected) return node?.kind === 'host';
    const owner = ownerOf(gw.family, gw.value);
    return owner !== undefined && !own.includes(owner) && owner.segment === connected.segment;
  };
}

/** True when a probe can aim at the node: it has an address (as the validator judges it). */
function hasAddress(r: Resolved, id: string): boolean {
  const node = r.nodes.get(id);
  if (!node) return false;
  if (node.kind === 'internet') return node.target !== undefined;
  if (node.kind === 'bridge') return node.addresses.length > 0;
  return (r.l3ByNode.get(id) ?? []).some((i) => i.addresses.length > 0);
}

// ---------------------------------------------------------------------------------------------
// updateNode, updateLink, updateDoc

const NAME_RULE = 'use a letter or digit first, then only letters, digits, "_", "." or "-"';

function checkNewId(what: string, value: unknown, taken: ReadonlySet<string>, element: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new CommandError(`${what}: the id cannot be empty; ${NAME_RULE}`, element);
  if (value.length > NAME_MAX) throw new CommandError(`${what}: id "${value.slice(0, 40)}…" is longer than ${NAME_MAX} characters; shorten it`, element);
  if (!NAME_PATTERN.test(value)) throw new CommandError(`${what}: id ${JSON.stringify(value)} is not a valid name; ${NAME_RULE}`, element);
  if (taken.has(value)) throw new CommandError(`${what}: id "${value}" is already used by another element; pick another id`, element);
  return value;
}

function updateNode(doc: Doc, id: string, patch: Readonly<Record<string, unknown>>): CommandResult {
  const nodes = doc.nodes ?? [];
  const old = nodes.find((n) => n.id === id);
  if (!old) throw new CommandError(`node "${id}" does not exist; it may have been deleted`, id);
  if (patch.kind !== undefined && patch.kind !== old.kind) {
    throw new CommandError(`node ${id}: a ${KIND_LABEL[old.kind]} cannot become a ${String(patch.kind)}; delete it and add a new node instead`, id);
  }
  const { kind: _kind, ...rest } = patch;
  const patched = shallowPatch(old, rest);
  if (patched === old) return { doc };
  const newId = patched.id;
  if (newId !== id) checkNewId(`node ${id}`, newId, elementIds(doc), id);
  if (nodeNameOf(patched) !== nodeNameOf(old) && (patched.kind === 'namespace' || patched.kind === 'bridge')) {
    // Namespaces and bridges are named on the host; two of a kind with one name would clash there.
    const clash = nodes.find((n) => n !== old && n.kind === patched.kind && nodeNameOf(n) === nodeNameOf(patched));
    if (clash) throw new CommandError(`node ${id}: ${patched.kind} name "${nodeNameOf(patched)}" is already used by node ${clash.id}; pick another name`, id);
  }
  let nextNodes = nodes.map((n) => (n === old ? patched : n));
  let links = doc.links;
  let probes = doc.probes;
  if (newId !== id) {
    const taken = elementIds(doc);
    links = mapShared(links, (l) => {
      if (l.a.node !== id && l.b.node !== id) return l;
      const a = l.a.node === id ? { ...l.a, node: newId } : l.a;
      const b = l.b.node === id ? { ...l.b, node: newId } : l.b;
      let linkId = l.id;
      if (l.id === `${l.a.node}-${l.b.node}`) {
        const candidate = `${a.node}-${b.node}`;
        if (!taken.has(candidate) && NAME_PATTERN.test(candidate) && candidate.length <= NAME_MAX) {
          taken.delete(l.id);
          taken.add(candidate);
          linkId = candidate;
        }
      }
      return { ...l, id: linkId, a, b };
    });
    probes = mapShared(probes, (p) => (p.from === id || p.to === id ? { ...p, from: p.from === id ? newId : p.from, to: p.to === id ? newId : p.to } : p));
  }
  if (nodeNameOf(old) !== nodeNameOf(patched) && links) {
    ({ nodes: nextNodes, links } = followRename(nextNodes, links, old, patched));
  }
  const out: Doc = { ...doc, nodes: nextNodes };
  if (links) out.links = links;
  if (probes) out.probes = probes;
  return { doc: out, ...(newId !== id ? { selection: [newId] } : {}) };
}

/**
 * After a node's name changed, interface names written in the naming scheme for the old name
 * (veth-red, veth-red-br) are proposed again for the new one, and routes naming them by `dev`
 * follow. Names the user chose are kept.
 */
function followRename(nodes: NodeInput[], links: LinkInput[], old: NodeInput, renamed: NodeInput): { nodes: NodeInput[]; links: LinkInput[] } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const before = (n: NodeInput) => (n === renamed ? old : n);
  const marked: { index: number; side: 'a' | 'b'; self: NodeInput; other: NodeInput; name: string }[] = [];
  links.forEach((l, index) => {
    if (l.a.node !== renamed.id && l.b.node !== renamed.id) return;
    for (const side of ['a', 'b'] as const) {
      const end = l[side];
      const self = byId.get(end.node);
      const other = byId.get(l[side === 'a' ? 'b' : 'a'].node);
      if (!self || !other || typeof end.ifname !== 'string') continue;
      if (isSchemeName(end.ifname, namedNode(before(self)), namedNode(before(other)))) marked.push({ index, side, self, other, name: end.ifname });
    }
  });
  if (marked.length === 0) return { nodes, links };
  const names = InterfaceNames.of(resolveDocument({ version: 1, name: 'x', nodes, links }), new Set(marked.map((m) => `${links[m.index]!.id}.${m.side}`)));
  const nextLinks = [...links];
  const devRenames = new Map<string, Map<string, string>>();
  for (const m of marked) {
    const name = names.propose(netnsOf(m.self), ifnameCandidates(namedNode(m.self), namedNode(m.other)));
    if (name === m.name) continue;
    const link = nextLinks[m.index]!;
    nextLinks[m.index] = { ...link, [m.side]: { ...link[m.side], ifname: name } };
    if (m.self.kind === 'namespace' || m.self.kind === 'host') {
      const map = devRenames.get(m.self.id) ?? new Map<string, string>();
      map.set(m.name, name);
      devRenames.set(m.self.id, map);
    }
  }
  const nextNodes = nodes.map((n) => {
    const map = devRenames.get(n.id);
    if (!map || (n.kind !== 'namespace' && n.kind !== 'host') || !n.routes) return n;
    return { ...n, routes: n.routes.map((r) => (r.dev !== undefined && map.has(r.dev) ? { ...r, dev: map.get(r.dev)! } : r)) } as NodeInput;
  });
  return { nodes: nextNodes, links: nextLinks };
}

function updateLink(doc: Doc, id: string, patch: Readonly<Record<string, unknown>>): CommandResult {
  const links = doc.links ?? [];
  const old = links.find((l) => l.id === id);
  if (!old) throw new CommandError(`link "${id}" does not exist; it may have been deleted`, id);
  const next = shallowPatch(old, patch);
  if (next === old) return { doc };
  if (next.id !== id) checkNewId(`link ${id}`, next.id, elementIds(doc), id);
  for (const side of ['a', 'b'] as const) {
    const end = next[side] as unknown;
    const node = typeof end === 'object' && end !== null ? (end as { node?: unknown }).node : undefined;
    if (typeof node !== 'string' || !findNode(doc, node)) {
      throw new CommandError(`link ${id}: end ${side} must name an existing node${typeof node === 'string' ? `, and "${node}" does not exist` : ''}; pick a node of the lab`, id);
    }
  }
  if (next.a.node === next.b.node) throw new CommandError(`link ${id} would connect ${next.a.node} to itself; connect the other end to a different node`, id);
  return { doc: { ...doc, links: links.map((l) => (l === old ? next : l)) }, ...(next.id !== id ? { selection: [next.id] } : {}) };
}

function updateDoc(doc: Doc, patch: Extract<EditorCommand, { type: 'updateDoc' }>['patch']): Doc {
  const allowed: Record<string, unknown> = {};
  for (const key of ['name', 'title', 'description', 'nat', 'probes'] as const) {
    if (!Object.hasOwn(patch, key)) continue;
    // The lab name is required: clearing it is not a change the document can hold.
    if (key === 'name' && patch.name === undefined) continue;
    allowed[key] = patch[key];
  }
  return shallowPatch(doc, allowed);
}

// ---------------------------------------------------------------------------------------------
// paste

/**
 * Adds copies of the clipboard's elements, moved by `offset`. Ids that clash get the next
 * tutorial name of their style (red -> green, vnet0 -> vnet1) or a `-2` suffix; links named
 * after their ends are renamed with them. Subnets that overlap the document move to fresh ones
 * (addresses keep their host number, routes follow), interface names that clash or were derived
 * from a renamed node are proposed again, and routes whose gateway or `dev` did not come along
 * are dropped. There is one host and one internet: clipboard copies of them stand for the ones
 * the document has, and a link between two such existing nodes that already exists is dropped.
 */
function paste(doc: Doc, clip: Clipboard, offset: Pos): CommandResult {
  const taken = takenNames(doc);
  const existing = doc.nodes ?? [];
  const idMap = new Map<string, string>();
  const fresh = new Set<string>();
  const shift = <T extends { position?: Pos | undefined }>(item: T): T => (item.position ? { ...item, position: { x: item.position.x + offset.x, y: item.position.y + offset.y } } : item);
  const pastedNodes: NodeInput[] = [];
  for (const source of clip.nodes) {
    if (idMap.has(source.id)) continue;
    if (source.kind === 'host' || source.kind === 'internet') {
      const single = [...existing, ...pastedNodes].find((n) => n.kind === source.kind);
      if (single) {
        idMap.set(source.id, single.id);
        continue;
      }
    }
    const id = idForCopy(source.id, taken);
    taken.add(id);
    idMap.set(source.id, id);
    fresh.add(id);
    let node: NodeInput = { ...shift(structuredClone(source)), id };
    if ((node.kind === 'namespace' || node.kind === 'bridge') && node.name !== undefined) {
      // A name another node has would clash on the host; without it the node is named by its fresh id.
      if (taken.has(node.name)) {
        const { name: _name, ...unnamed } = node;
        node = unnamed;
      } else taken.add(node.name);
    }
    pastedNodes.push(node);
  }
  const allNodes = new Map([...existing, ...pastedNodes].map((n) => [n.id, n]));
  const sourceById = new Map(clip.nodes.map((n) => [n.id, n]));

  const before = resolveDocument(doc);
  const book = AddressBook.of(doc, before);
  const names = InterfaceNames.of(before);
  const ids = elementIds(doc);
  for (const n of pastedNodes) ids.add(n.id);

  // One relocation per subnet of each copied segment, so a segment's addresses, gateways and
  // routes stay consistent, and two copied segments never end up sharing a subnet.
  const clipView = resolveDocument({ version: 1, name: 'clipboard', nodes: clip.nodes, links: clip.links });
  const segmentOf = new Map(clipView.ifaces.map((i) => [i.key, i.segment]));
  const moved = new Map<string, { source: Subnet; target: Subnet | null }>();
  const movedKey = (segment: number | undefined, s: Subnet) => `${segment ?? 'none'}|${subnetString(s)}`;
  const relocate = (segment: number | undefined, c: Cidr): Cidr | undefined => {
    const s = subnetOf(c);
    const key = movedKey(segment, s);
    if (!moved.has(key)) moved.set(key, { source: s, target: book.relocate(s) ?? null });
    const target = moved.get(key)!.target;
    if (!target) return undefined;
    const value = target.network + (c.value - s.network);
    if (book.isUsed(c.family, value)) return undefined;
    return parseCidr(addressString(target, value));
  };
  const relocateList = (segment: number | undefined, list: readonly string[] | undefined): string[] =>
    (list ?? []).flatMap((text) => {
      const c = parseCidr(text);
      const out = c && relocate(segment, c);
      if (out) book.claimAddress(out);
      return out ? [out.text] : [];
    });
  const sourceOf = new Map<string, string>([...idMap].filter(([, to]) => fresh.has(to)).map(([from, to]) => [to, from]));
  pastedNodes.forEach((n, index) => {
    if (n.kind !== 'bridge' || !n.addresses) return;
    pastedNodes[index] = { ...n, addresses: relocateList(segmentOf.get(sourceOf.get(n.id)!), n.addresses) };
    allNodes.set(n.id, pastedNodes[index]!);
  });

  const links = doc.links ?? [];
  const pair = (x: string, y: string) => links.some((l) => (l.a.node === x && l.b.node === y) || (l.a.node === y && l.b.node === x));
  const pastedLinks: LinkInput[] = [];
  for (const source of clip.links) {
    const aId = idMap.get(source.a.node);
    const bId = idMap.get(source.b.node);
    if (aId === undefined || bId === undefined || aId === bId) continue;
    if (!fresh.has(aId) && !fresh.has(bId) && pair(aId, bId)) continue;
    const base = source.id === `${source.a.node}-${source.b.node}` ? `${aId}-${bId}` : source.id;
    const id = uniqueId(base, ids);
    ids.add(id);
    const end = (side: 'a' | 'b', nodeId: string): EndInput => {
      const src = source[side];
      const self = allNodes.get(nodeId)!;
      const other = allNodes.get(side === 'a' ? bId : aId)!;
      const out: EndInput = { ...structuredClone(src), node: nodeId };
      if (self.kind === 'internet' || other.kind === 'internet') return out;
      if (typeof src.ifname === 'string') {
        const oldSelf = sourceById.get(src.node);
        const oldOther = sourceById.get(source[side === 'a' ? 'b' : 'a'].node);
        const renamed = oldSelf && oldOther && isSchemeName(src.ifname, namedNode(oldSelf), namedNode(oldOther)) && (nodeNameOf(oldSelf) !== nodeNameOf(self) || nodeNameOf(oldOther) !== nodeNameOf(other));
        if (!renamed && names.isFree(netnsOf(self), src.ifname)) names.reserve(netnsOf(self), src.ifname);
        else out.ifname = names.propose(netnsOf(self), ifnameCandidates(namedNode(self), namedNode(other)));
      }
      if (src.addresses) out.addresses = relocateList(segmentOf.get(`${source.id}.${side}`), src.addresses);
      return out;
    };
    pastedLinks.push({ ...structuredClone(source), id, a: end('a', aId), b: end('b', bId) });
  }

  // Routes survive when their gateway (moved with its subnet) or their dev came along.
  const after = resolveDocument({ ...doc, nodes: [...existing, ...pastedNodes], links: [...links, ...pastedLinks] });
  const works = routeCheck(after);
  const finalNodes = pastedNodes.map((n) => {
    if ((n.kind !== 'namespace' && n.kind !== 'host') || !n.routes) return n;
    const own = clipView.l3ByNode.get(sourceOf.get(n.id)!) ?? [];
    const routes = n.routes.flatMap((route): RouteInput[] => {
      const out = { ...route };
      const gw = route.via === undefined ? undefined : parseIp(route.via);
      if (gw) {
        // The gateway moves with the subnet of the copied segment it was reached on.
        const on = own.flatMap((i) => i.addresses.filter((c) => inSubnet(subnetOf(c), gw.family, gw.value)).map((c) => moved.get(movedKey(i.segment, subnetOf(c)))))[0];
        if (on && !on.target) return [];
        if (on?.target) out.via = formatIp(gw.family, on.target.network + (gw.value - on.source.network));
      }
      const dest = parseCidr(route.to);
      const movedDest = dest && dest.prefix > 0 ? [...moved.values()].find((m) => m.target && subnetString(m.source) === subnetString(subnetOf(dest))) : undefined;
      if (movedDest?.target) out.to = subnetString(movedDest.target);
      return works(n.id, out) ? [out] : [];
    });
    return sameValue(routes, n.routes) ? n : ({ ...n, routes } as NodeInput);
  });

  const pastedNotes = clip.notes.map((note) => {
    const id = uniqueId(note.id, ids);
    ids.add(id);
    return shift({ ...structuredClone(note), id });
  });
  const next: Doc = { ...doc, nodes: [...existing, ...finalNodes], links: [...links, ...pastedLinks] };
  if (pastedNotes.length > 0) next.notes = [...(doc.notes ?? []), ...pastedNotes];
  const selection = [...finalNodes.map((n) => n.id), ...pastedLinks.map((l) => l.id), ...pastedNotes.map((n) => n.id)];
  if (selection.length === 0) return { doc, selection };
  return { doc: next, selection };
}
