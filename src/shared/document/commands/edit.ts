/**
 * updateNode, updateLink and updateDoc: shallow patches, with renames carried along.
 */
import { NAME_MAX, NAME_PATTERN, NAME_RULE } from '../../model/topology.js';
import { ifnameCandidates, InterfaceNames, isSchemeName, namedNode } from '../names.js';
import { shallowPatch } from '../patch.js';
import { elementIds, nodeNameOf, resolveDocument, type LinkInput, type NodeInput } from '../view.js';
import { CommandError, findNode, KIND_LABEL, mapShared, netnsOf, type CommandResult, type Doc, type DocPatch } from './common.js';

function checkNewId(what: string, value: unknown, taken: ReadonlySet<string>, element: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new CommandError(`${what}: the id cannot be empty; ${NAME_RULE}`, element);
  if (value.length > NAME_MAX) throw new CommandError(`${what}: id "${value.slice(0, 40)}…" is longer than ${NAME_MAX} characters; shorten it`, element);
  if (!NAME_PATTERN.test(value)) throw new CommandError(`${what}: id ${JSON.stringify(value)} is not a valid name; ${NAME_RULE}`, element);
  if (taken.has(value)) throw new CommandError(`${what}: id "${value}" is already used by another element; pick another id`, element);
  return value;
}

/** Patches a node; a new id or name is carried along to links, probes and routes. */
export function updateNode(doc: Doc, id: string, patch: Readonly<Record<string, unknown>>): CommandResult {
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

/** Patches a link; its ends must name existing, different nodes. */
export function updateLink(doc: Doc, id: string, patch: Readonly<Record<string, unknown>>): CommandResult {
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

/** Sets the document-level fields; the lab name cannot be cleared. */
export function updateDoc(doc: Doc, patch: DocPatch): Doc {
  const allowed: Record<string, unknown> = {};
  for (const key of ['name', 'title', 'description', 'nat', 'probes'] as const) {
    if (!Object.hasOwn(patch, key)) continue;
    // The lab name is required: clearing it is not a change the document can hold.
    if (key === 'name' && patch.name === undefined) continue;
    allowed[key] = patch[key];
  }
  return shallowPatch(doc, allowed);
}
