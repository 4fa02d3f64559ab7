/**
 * Resolves a schema-valid document into concrete things: which namespace each interface lives
 * in, its final name (generated when omitted), which L2 segment it is on, and which addresses
 * each node owns. The validator, the planner and the editor read this one view. It never throws on
 * semantic mistakes (a link to a missing node is skipped); the validator reports those.
 */
import { IFNAME_MAX, type Link, type Node, type TopologyDocument } from './topology.js';
import { ipKey, parseCidr, type Cidr } from './net.js';
import { flat } from '../flat.js';

/** Where an interface lives: a namespace name, or null for the host's root namespace. */
export type Netns = string | null;

/** One end of a veth pair, or a bridge device, resolved. */
export interface Iface {
  /** `LINK.a` / `LINK.b` for veth ends, `BRIDGE` for a bridge device. */
  key: string;
  kind: 'veth' | 'bridge';
  /** Link id for veth ends, bridge node id for bridges. */
  element: string;
  /** Field path of this end in the document (`links[3].a`), or of the bridge node. */
  path: string;
  node: string;
  netns: Netns;
  name: string;
  /** True when the name was generated rather than written by the user. */
  generated: boolean;
  addresses: Cidr[];
  /** Bridge this veth end is enslaved to (its interface name). */
  master?: string;
  /** Key of the other end of the pair. */
  peer?: string;
  mtu?: number;
  segment: number;
}

/** An L2 segment: a bridge with its ports (and bridges joined to it), or one point-to-point veth. */
export interface Segment {
  id: number;
  /** Bridge name(s) or the link id for a point-to-point segment. */
  label: string;
  bridges: string[];
  /** Interfaces that hold addresses on this segment (namespace ends, host ends, bridge devices). */
  members: Iface[];
}

export interface ResolvedLink {
  link: Link;
  index: number;
  kind: 'veth' | 'uplink';
  a?: Iface;
  b?: Iface;
}

export interface Resolved {
  doc: TopologyDocument;
  nodes: Map<string, Node>;
  /** Namespace name for namespace nodes. */
  netnsOf: Map<string, string>;
  links: ResolvedLink[];
  ifaces: Iface[];
  /** L3 interfaces per node id (bridge devices belong to the host node, id `null` key ''). */
  l3ByNode: Map<string, Iface[]>;
  segments: Segment[];
  bridges: Iface[];
  /** Id of the host node, if any. */
  hostId?: string;
  /** Id of an internet node linked to the host, if any. */
  internetId?: string;
  uplink?: string;
}

/** The key under which bridge devices and host veth ends are filed in l3ByNode when no host node exists. */
export const ROOT_KEY = '';

/** Name of a node on the host: the namespace name, bridge name, or the id. */
export function nodeName(node: Node): string {
  if (node.kind === 'namespace' || node.kind === 'bridge') return node.name ?? node.id;
  return node.id;
}

/** FNV-1a, 4 hex digits: enough to tell shortened names apart, and browser-safe. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 0xffff).toString(16).padStart(4, '0');
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Length in bytes as the kernel counts it. */
export function byteLength(text: string): number {
  // Names that pass the name pattern are ASCII, where characters are bytes: one regular expression test, not a loop per character.
  return NON_ASCII.test(text) ? new TextEncoder().encode(text).length : text.length;
}

/**
 * Shortens a generated interface name to the kernel's 15 bytes so that it stays readable: the
 * first word (`veth`) and a short last word (`br`, `host`, a number) are kept and the node names
 * between them are cut, `veth-redredredredredredredred-br` -> `veth-redredre-br`, never hashed.
 * Two names that shorten alike are told apart by the callers' numbered fallback (`...-1`).
 */
export function fitIfName(candidate: string): string {
  if (byteLength(candidate) <= IFNAME_MAX) return candidate;
  const words = candidate.split('-');
  const last = words.length >= 3 && words.at(-1)!.length <= 4 ? words.at(-1)! : undefined;
  const head = words[0]!;
  const middle = words.slice(1, last === undefined ? undefined : -1).join('-');
  const budget = IFNAME_MAX - head.length - 1 - (last === undefined ? 0 : last.length + 1);
  const cut = middle.slice(0, Math.max(budget, 0)).replace(/-+$/, '');
  if (words.length < 2 || cut === '') return candidate.slice(0, IFNAME_MAX).replace(/-+$/, '');
  return [head, cut, ...(last === undefined ? [] : [last])].join('-');
}

class NameScope {
  // The first name on its own and a set only from the second: most namespaces hold one interface.
  private first: string | undefined;
  private more: Set<string> | undefined;
  has(name: string): boolean {
    return name === this.first || (this.more?.has(name) ?? false);
  }
  add(name: string): void {
    if (this.first === undefined) this.first = name;
    else if (name !== this.first) (this.more ??= new Set()).add(name);
  }
  /** True when `name` is free in this scope and in `also`. */
  isFree(name: string, also?: NameScope): boolean {
    return !this.has(name) && !also?.has(name);
  }
  /** First candidate free in this scope and in `also`, fitted to 15 bytes; falls back to a numbered form. */
  pick(candidates: string[], also?: NameScope): string {
    for (const c of candidates) {
      const fitted = fitIfName(c);
      if (this.isFree(fitted, also)) return fitted;
    }
    const base = candidates[0] ?? 'veth';
    for (let i = 1; ; i++) {
      const fitted = fitIfName(`${base}-${i}`);
      if (this.isFree(fitted, also)) return fitted;
    }
  }
}

/** Builds the resolved view. */
export function resolve(doc: TopologyDocument): Resolved {
  const nodes = new Map<string, Node>();
  // The long loops here use forEach, not for...of: resolve runs once per document, largely before
  // the optimizing compiler takes it, and there for...of makes an object per element.
  doc.nodes.forEach((n) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  });
  const netnsOf = new Map<string, string>();
  nodes.forEach((n) => {
    if (n.kind === 'namespace') netnsOf.set(n.id, nodeName(n));
  });
  let host: Node | undefined;
  for (const n of nodes.values()) {
    if (n.kind !== 'host') continue;
    host = n;
    break;
  }
  const hostId = host?.id;
  const uplink = host?.kind === 'host' ? host.uplink : undefined;

  // Segment ids via union-find; bridges seed segments, point-to-point links make their own.
  const parent: number[] = [];
  const make = (): number => {
    parent.push(parent.length);
    return parent.length - 1;
  };
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const union = (x: number, y: number): void => {
    parent[find(x)] = find(y);
  };

  const bridges: Iface[] = [];
  const bridgeByNode = new Map<string, Iface>();
  const rootScope = new NameScope();
  if (uplink) rootScope.add(uplink);
  doc.nodes.forEach((n, index) => {
    if (n.kind !== 'bridge' || bridgeByNode.has(n.id)) return;
    const name = nodeName(n);
    rootScope.add(name);
    const iface: Iface = {
      key: n.id,
      kind: 'bridge',
      element: n.id,
      path: `nodes[${index}]`,
      node: hostId ?? ROOT_KEY,
      netns: null,
      name,
      generated: false,
      addresses: parseAddresses(n.addresses),
      ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
      segment: make(),
    };
    bridges.push(iface);
    bridgeByNode.set(n.id, iface);
  });

  // User-written names are reserved first so generated names never take them.
  const nsScopes = new Map<string, NameScope>();
  // Namespace-side veth ends are created in the root namespace first, so generated names
  // avoid root names, and generated root names avoid every namespace-side name.
  const transitScope = new NameScope();
  const scopeOf = (netns: Netns): NameScope => {
    if (netns === null) return rootScope;
    let s = nsScopes.get(netns);
    if (!s) nsScopes.set(netns, (s = new NameScope()));
    return s;
  };
  const netnsOfEnd = (nodeId: string): Netns => netnsOf.get(nodeId) ?? null;
  const reserve = (end: Link['a']): void => {
    if (!end.ifname) return; // most ends of a large lab: no node to look up
    const node = nodes.get(end.node);
    if (!node || node.kind === 'internet') return;
    scopeOf(node.kind === 'namespace' ? netnsOfEnd(node.id) : null).add(end.ifname);
    if (node.kind === 'namespace') transitScope.add(end.ifname);
  };
  doc.links.forEach((link) => {
    reserve(link.a);
    reserve(link.b);
  });

  // One end of a veth link; a function made once, not a closure per link.
  const resolveEnd = (link: Link, index: number, side: 'a' | 'b', node: Node, other: Node): Iface => {
    const end = link[side];
    const netns = node.kind === 'namespace' ? netnsOfEnd(node.id) : null;
    const scope = scopeOf(netns);
    const name = end.ifname ?? generateName(node, other, scope, netns === null ? transitScope : rootScope);
    scope.add(name);
    if (netns !== null) transitScope.add(name);
    const iface: Iface = {
      key: `${link.id}.${side}`,
      kind: 'veth',
      element: link.id,
      path: `links[${index}].${side}`,
      node: node.kind === 'bridge' ? (hostId ?? ROOT_KEY) : node.id,
      netns,
      name,
      generated: end.ifname === undefined,
      addresses: parseAddresses(end.addresses),
      segment: node.kind === 'bridge' ? bridgeByNode.get(node.id)!.segment : -1,
    };
    if (node.kind === 'bridge') iface.master = nodeName(node);
    if (link.mtu !== undefined) iface.mtu = link.mtu;
    return iface;
  };

  const links: ResolvedLink[] = [];
  const ifaces: Iface[] = [...bridges];
  doc.links.forEach((link, index) => {
    const na = nodes.get(link.a.node);
    const nb = nodes.get(link.b.node);
    if (!na || !nb || link.a.node === link.b.node) {
      links.push({ link, index, kind: 'veth' });
      return;
    }
    if (na.kind === 'internet' || nb.kind === 'internet') {
      links.push({ link, index, kind: 'uplink' });
      return;
    }
    const a = resolveEnd(link, index, 'a', na, nb);
    const b = resolveEnd(link, index, 'b', nb, na);
    a.peer = b.key;
    b.peer = a.key;
    if (a.master && b.master) union(a.segment, b.segment);
    else if (a.master) b.segment = a.segment;
    else if (b.master) a.segment = b.segment;
    else a.segment = b.segment = make();
    ifaces.push(a, b);
    links.push({ link, index, kind: 'veth', a, b });
  });

  // One pass over the interfaces: each one's final segment, the segments' bridges and members, and the L3 interfaces per node.
  const segMap = new Map<number, Segment>();
  const l3ByNode = new Map<string, Iface[]>();
  for (let k = 0; k < ifaces.length; k++) {
    const i = ifaces[k]!;
    i.segment = find(i.segment);
    let s = segMap.get(i.segment);
    if (!s) segMap.set(i.segment, (s = { id: i.segment, label: '', bridges: [], members: [] }));
    if (i.kind === 'bridge') s.bridges.push(i.name);
    if (i.master) continue;
    s.members.push(i);
    const list = l3ByNode.get(i.node);
    if (list) list.push(i);
    else l3ByNode.set(i.node, [i]);
  }
  segMap.forEach((s) => {
    s.label = s.bridges.length > 0 ? s.bridges.join('+') : (s.members[0]?.element ?? `segment ${s.id}`);
  });

  // The first link between the host and an Internet node; no pair of nodes made for every other link.
  let internetId: string | undefined;
  for (let i = 0; i < doc.links.length && internetId === undefined; i++) {
    const l = doc.links[i]!;
    const x = nodes.get(l.a.node);
    const y = nodes.get(l.b.node);
    if (x?.kind === 'internet' && y?.kind === 'host') internetId = x.id;
    else if (y?.kind === 'internet' && x?.kind === 'host') internetId = y.id;
  }

  return {
    doc,
    nodes,
    netnsOf,
    links,
    ifaces,
    l3ByNode,
    segments: [...segMap.values()].sort((x, y) => x.id - y.id),
    bridges,
    ...(hostId !== undefined ? { hostId } : {}),
    ...(internetId !== undefined ? { internetId } : {}),
    ...(uplink !== undefined ? { uplink } : {}),
  };
}

/** The addresses that parse, in order (the schema has refused the others). */
function parseAddresses(texts: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (let i = 0; i < texts.length; i++) {
    const c = parseCidr(texts[i]!);
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** Tutorial-style names: `veth-red` inside red, `veth-red-br` on the bridge, `veth-red-host` on the host. */
function generateName(node: Node, other: Node, scope: NameScope, avoid: NameScope): string {
  const self = nodeName(node);
  const peer = nodeName(other);
  const toNamespace = other.kind === 'namespace';
  // The first choice, and the second only when the first is taken: a large lab makes thousands of names.
  const first = node.kind === 'namespace' ? flat`veth-${self}` : node.kind === 'bridge' ? (toNamespace ? flat`veth-${peer}-br` : flat`veth-${self}-${peer}`) : toNamespace ? flat`veth-${peer}-host` : flat`veth-host-${peer}`;
  const fitted = fitIfName(first);
  if (scope.isFree(fitted, avoid)) return fitted;
  const second = node.kind === 'namespace' ? `veth-${self}-${peer}` : !toNamespace ? undefined : node.kind === 'bridge' ? `veth-${peer}-${self}` : `veth-${peer}-h`;
  return scope.pick(second === undefined ? [first] : [first, second], avoid);
}

/** The first address of each family on a segment's members: the subnet the segment is held to. */
export function segmentSubnets(members: readonly Iface[]): Cidr[] {
  const out: Cidr[] = [];
  // Index loops: no iterator per member while this runs unoptimized (once per segment of a large lab).
  for (let i = 0; i < members.length && out.length < 2; i++) {
    const addresses = members[i]!.addresses;
    for (let j = 0; j < addresses.length; j++) {
      const c = addresses[j]!;
      if (out.length === 0 || (out.length === 1 && out[0]!.family !== c.family)) out.push(c);
    }
  }
  return out;
}

/**
 * The interface owning each address (by ipKey), first come in segment order: a later interface
 * with the same address is the duplicate the validator reports.
 */
export function addressOwners(r: Resolved): Map<string, Iface> {
  const owners = new Map<string, Iface>();
  // Index loops: no iterator per member while this runs unoptimized.
  for (let s = 0; s < r.segments.length; s++) {
    const members = r.segments[s]!.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      for (let j = 0; j < m.addresses.length; j++) {
        const c = m.addresses[j]!;
        const key = ipKey(c.family, c.value);
        if (!owners.has(key)) owners.set(key, m);
      }
    }
  }
  return owners;
}

/** True when a probe can aim at the node: the Internet node's target, a bridge's or a node's own interface address. */
export function hasAddress(r: Resolved, node: Node): boolean {
  if (node.kind === 'internet') return node.target !== undefined;
  if (node.kind === 'bridge') return node.addresses.length > 0;
  return (r.l3ByNode.get(node.id) ?? []).some((i) => i.addresses.length > 0);
}
