/**
 * The editor's read-only view of a document as written: lookups that every command needs
 * (element ids, node names) and the model's resolved view (the one the compiler plans from),
 * computed without requiring the document to be valid: the editor works on half-finished drawings.
 */
import type { TopologyDocument, TopologyInput } from '../model/topology.js';
import { resolve, type Resolved } from '../model/resolve.js';

/** A document as written by the user (defaults optional). */
export type Doc = TopologyInput;
export type NodeInput = NonNullable<Doc['nodes']>[number];
export type LinkInput = NonNullable<Doc['links']>[number];
export type EndInput = LinkInput['a'];
export type NoteInput = NonNullable<Doc['notes']>[number];
export type ProbeInput = NonNullable<Doc['probes']>[number];
export type RouteInput = NonNullable<Extract<NodeInput, { kind: 'namespace' }>['routes']>[number];
export type NatInput = NonNullable<Doc['nat']>;

/** Name of a node on the host: the namespace or bridge name, or the id (as resolve.ts's nodeName). */
export function nodeNameOf(node: NodeInput): string {
  if ((node.kind === 'namespace' || node.kind === 'bridge') && typeof node.name === 'string') return node.name;
  return node.id;
}

/** Every element id in the document: nodes, links, NAT rules, probes and notes share one id space. */
export function elementIds(doc: Doc): Set<string> {
  const ids = new Set<string>();
  for (const list of [doc.nodes, doc.links, doc.nat?.masquerade, doc.nat?.portForwards, doc.probes, doc.notes]) {
    for (const item of list ?? []) ids.add(item.id);
  }
  return ids;
}

/**
 * Ids and names a new node must not take: element ids, namespace and bridge names, the host's
 * uplink and every interface name written in the document (a bridge name is a root interface).
 */
export function takenNames(doc: Doc): Set<string> {
  const taken = elementIds(doc);
  for (const n of doc.nodes ?? []) {
    taken.add(nodeNameOf(n));
    if (n.kind === 'host') taken.add(typeof n.uplink === 'string' ? n.uplink : 'eth0');
  }
  for (const l of doc.links ?? []) {
    for (const end of [l.a, l.b]) if (typeof end.ifname === 'string') taken.add(end.ifname);
  }
  return taken;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);

function lenientEnd(end: EndInput): TopologyDocument['links'][number]['a'] {
  const out: TopologyDocument['links'][number]['a'] = { node: end.node, addresses: strings(end.addresses) };
  if (typeof end.ifname === 'string') out.ifname = end.ifname;
  return out;
}

/**
 * The document with the schema's defaults filled in and malformed fields dropped, shaped as the
 * compiler's TopologyDocument. Only for reading (resolve, lookups): never written back.
 */
export function lenientDocument(doc: Doc): TopologyDocument {
  const nodes = list(doc.nodes).map((n): TopologyDocument['nodes'][number] => {
    switch (n.kind) {
      case 'namespace':
        return { ...n, router: n.router === true, routes: list(n.routes), dns: strings(n.dns) } as TopologyDocument['nodes'][number];
      case 'bridge':
        return { ...n, addresses: strings(n.addresses) };
      case 'host':
        return { ...n, uplink: typeof n.uplink === 'string' ? n.uplink : 'eth0', routes: list(n.routes) } as TopologyDocument['nodes'][number];
      default:
        return n;
    }
  });
  return {
    version: 1,
    name: doc.name,
    nodes,
    links: list(doc.links).map((l) => ({ ...l, a: lenientEnd(l.a), b: lenientEnd(l.b) })),
    nat: { masquerade: list(doc.nat?.masquerade), portForwards: list(doc.nat?.portForwards) } as TopologyDocument['nat'],
    probes: list(doc.probes) as TopologyDocument['probes'],
    notes: list(doc.notes) as TopologyDocument['notes'],
  };
}

/** The resolved view (src/shared/model/resolve.ts) of a document as written: effective interface names, segments, addresses. */
export function resolveDocument(doc: Doc): Resolved {
  return resolve(lenientDocument(doc));
}

/** The last drawing's interface names, by what they depend on. */
let namesCache: { key: string; names: ReadonlyMap<string, { a?: string; b?: string }> } | undefined;

/**
 * Interface names as the script will name them (generated ones included), per link id and end.
 * Resolving costs more than anything else the canvas and the properties panel do per edit at
 * 1,000 namespaces, so the names are kept while what they depend on stays the same: the nodes'
 * ids, kinds and names, the host's uplink and the links' ends (an edit of DNS, routes or
 * positions reuses them). A drawing too broken to resolve has none beyond those written in it.
 */
export function interfaceNames(doc: Doc): ReadonlyMap<string, { a?: string; b?: string }> {
  const parts: string[] = [];
  for (const n of doc.nodes ?? []) parts.push(`${n.id}\t${n.kind}\t${'name' in n ? String(n.name) : ''}\t${n.kind === 'host' ? String(n.uplink) : ''}`);
  for (const l of doc.links ?? []) parts.push(`${l.id}\t${l.a.node}\t${String(l.a.ifname)}\t${l.b.node}\t${String(l.b.ifname)}`);
  const key = parts.join('\n');
  if (namesCache?.key === key) return namesCache.names;
  const names = new Map<string, { a?: string; b?: string }>();
  try {
    for (const r of resolveDocument(doc).links) names.set(r.link.id, { ...(r.a ? { a: r.a.name } : {}), ...(r.b ? { b: r.b.name } : {}) });
  } catch {
    // a drawing too broken to resolve: the names written in it
  }
  namesCache = { key, names };
  return names;
}
