/**
 * Probe planning for `verify`, the compile stage after plan(): from the plan's forwarding
 * decisions and the reachability model, derive what must reach what (and what must not), each
 * with an expectation and the reason behind it, plus the user's own probes. The designer's live
 * preview skips this stage; lab.sh and the runner use it.
 */
import { formatIp, parseIp, type Cidr } from '../model/net.js';
import { ROOT_KEY, type Iface, type Resolved } from '../model/resolve.js';
import { endNetem } from './netem.js';
import type { Plan } from './plan.js';
import { flat } from '../flat.js';
import { ReachModel, type ForwardingFacts, type Verdict } from './reach.js';

/**
 * Neighbour entries verify leaves free for everything else on the machine while it probes: the
 * tables are shared by every namespace, and other labs and the host keep talking meanwhile.
 */
export const NEIGHBOUR_MARGIN = 128;

/** Up to this many namespaces, verify probes every pair; above it, each namespace probes its ring neighbour. */
export const ALL_PAIRS_LIMIT = 16;

export interface PlannedProbe {
  id: string;
  /** Where it runs: a namespace name, or null for the host. */
  netns: string | null;
  /** Display names of both ends. */
  fromLabel: string;
  toLabel: string;
  kind: 'ping' | 'tcp';
  /** Address to reach; `@uplink` and `@uplink6` stand for the host's uplink IPv4 and IPv6 address, found at run time. */
  address: string;
  port?: number;
  expect: 'reachable' | 'unreachable';
  /** Why the model expects this. */
  reason: string;
  origin: 'pair' | 'host' | 'outside' | 'port-forward' | 'user';
  /** For tcp probes to a port forward: where verify may start a temporary listener. */
  listen?: { netns: string; address: string; port: number };
  /**
   * What the probe leaves in the kernel's neighbour (ARP/NDP) tables, which every namespace
   * shares: the namespaces along its path (`-` for the host), where verify flushes afterwards,
   * and at most how many entries it makes (see neighbourCost).
   */
  touches: string[];
  neighbours: number;
  /** Link impairments (netem) on the way there and back, when there are any: verify waits longer and tries again. */
  impairment?: Impairment;
}

/** What netem does to a probe's round trip. */
export interface Impairment {
  /** Added delay there and back, jitter included at its most, in ms. */
  delayMs: number;
  /** Chance in percent that one try gets no answer (loss and corruption anywhere on the way there or back). */
  lossPercent: number;
  /** How many tries before the probe is called failed: enough for a false failure to be rarer than MISS_CHANCE. */
  tries: number;
  /** The impaired links on the way, by id. */
  links: string[];
}

/** The chance of calling a lossy but working path failed that verify accepts (it tries until it is below). */
export const MISS_CHANCE = 0.001;
/** Most tries for one probe. */
export const MAX_TRIES = 10;

/** Tries for a path that loses `lossPercent` of round trips: 1 without loss, 3 when everything is lost (to show it). */
export function triesFor(lossPercent: number): number {
  const q = lossPercent / 100;
  if (q <= 0) return 1;
  if (q >= 1) return 3;
  return Math.min(MAX_TRIES, Math.max(1, Math.ceil(Math.log(MISS_CHANCE) / Math.log(q))));
}

/**
 * The impairments a packet meets between two neighbouring nodes of a path: the egress of the
 * sender's end, and on a bridge, the egress of the port towards the receiver.
 */
function hopImpairments(r: Resolved, { byKey, linkById }: Lookups, from: string, to: string): Array<{ link: string; delayMs: number; jitterMs: number; loss: number }> {
  const ends = (node: string) => r.l3ByNode.get(node) ?? [];
  const found: Array<{ link: string; delayMs: number; jitterMs: number; loss: number }> = [];
  const egress = (i: Iface | undefined): void => {
    if (!i || i.kind !== 'veth') return;
    const link = linkById.get(i.element);
    const n = link ? endNetem(link, i.key.endsWith('.a') ? 'a' : 'b') : undefined;
    if (!n) return;
    const loss = 1 - (1 - (n.lossPercent ?? 0) / 100) * (1 - (n.corruptPercent ?? 0) / 100);
    found.push({ link: i.element, delayMs: n.delayMs ?? 0, jitterMs: n.jitterMs ?? 0, loss });
  };
  for (const x of ends(from)) {
    const y = ends(to).find((i) => i.segment === x.segment);
    if (!y) continue;
    egress(x);
    const port = y.peer !== undefined ? byKey.get(y.peer) : undefined;
    if (port && port.key !== x.key) egress(port);
    break;
  }
  return found;
}

/** Interfaces by key and links by id of one resolved view, built once per view (not once per probe: that made probe planning quadratic). */
interface Lookups {
  byKey: Map<string, Iface>;
  linkById: Map<string, Resolved['doc']['links'][number]>;
  /** False when no link has impairments: then no path has any, and pathImpairment need not walk it. */
  impaired: boolean;
}
const lookupsOf = new WeakMap<Resolved, Lookups>();
function lookups(r: Resolved): Lookups {
  let l = lookupsOf.get(r);
  if (!l) {
    const linkById = new Map<string, Resolved['doc']['links'][number]>();
    // The first link of an id wins, as find() did.
    for (const link of r.doc.links) if (!linkById.has(link.id)) linkById.set(link.id, link);
    const impaired = [...linkById.values()].some((link) => endNetem(link, 'a') !== undefined || endNetem(link, 'b') !== undefined);
    // Interfaces by key only where some path can meet impairments (nothing reads them otherwise).
    l = { byKey: impaired ? new Map(r.ifaces.map((i) => [i.key, i])) : new Map(), linkById, impaired };
    lookupsOf.set(r, l);
  }
  return l;
}

/** The impairments on a verdict's way there and back, or undefined when it meets none. */
export function pathImpairment(r: Resolved, v: Pick<Verdict, 'path' | 'back'>): Impairment | undefined {
  const look = lookups(r);
  if (!look.impaired) return undefined;
  const key = (label: string): string => (label === 'host' && r.hostId === undefined ? ROOT_KEY : label);
  let delayMs = 0;
  let pass = 1;
  const links = new Set<string>();
  for (const way of [v.path, v.back ?? []]) {
    for (let i = 1; i < way.length; i++) {
      if (way[i - 1] === 'outside' || way[i] === 'outside') continue;
      for (const h of hopImpairments(r, look, key(way[i - 1]!), key(way[i]!))) {
        delayMs += h.delayMs + h.jitterMs;
        pass *= 1 - h.loss;
        links.add(h.link);
      }
    }
  }
  if (links.size === 0) return undefined;
  const lossPercent = Number(((1 - pass) * 100).toFixed(3));
  return { delayMs: Number(delayMs.toFixed(3)), lossPercent, tries: triesFor(lossPercent), links: [...links] };
}

/**
 * Entries a probe makes at most: two per hop there and back (the sender's entry for the next
 * hop, and the receiver's for the sender, learned from its ARP request or neighbour
 * solicitation; a hop used both ways counts once), and one more for the hop nobody answers
 * when the model expects the probe to stop.
 */
export function neighbourCost(v: Pick<Verdict, 'path' | 'back' | 'reachable'>): number {
  // The hops as pairs of ends in sorted order (so that a hop used both ways is one), compared
  // with a walk: a path has a few hops, and a key string per hop was most of a large lab's garbage here.
  let n = addHops(v.path, 0);
  if (v.back) n = addHops(v.back, n);
  return n + (v.reachable ? 0 : 1);
}

/** The ends of the hops neighbourCost has counted, reused from probe to probe (only the first ones it counts are its own). */
const hops: string[] = [];

/** Adds the hops of one way (two ends each, smaller first) that the first n ends of `hops` do not hold yet; returns the new count of ends. */
function addHops(way: readonly string[], n: number): number {
  for (let i = 1; i < way.length; i++) {
    const x = way[i - 1]!;
    const y = way[i]!;
    const lo = x < y ? x : y;
    const hi = x < y ? y : x;
    let known = false;
    for (let j = 0; j < n && !known; j += 2) known = hops[j] === lo && hops[j + 1] === hi;
    if (!known) {
      hops[n++] = lo;
      hops[n++] = hi;
    }
  }
  return n;
}

/** The namespaces a probe's way there and back pass through (`-` for the host), each once. */
function touchesOf(v: Pick<Verdict, 'path' | 'back'>, hostLabel: string, netnsOf: ReadonlyMap<string, string>): string[] {
  // Gathered in a reused list and copied at their exact size: a list grown by push() keeps room
  // for 16 more, and a large lab keeps 30,000 of these.
  let n = addTouches(v.path, hostLabel, netnsOf, 0);
  if (v.back) n = addTouches(v.back, hostLabel, netnsOf, n);
  return touchList.slice(0, n);
}

/** The places touchesOf() has found, reused from probe to probe. */
const touchList: string[] = [];

/** Adds the namespaces a way passes through that the first n of touchList do not hold yet; returns the new count. */
function addTouches(way: readonly string[], hostLabel: string, netnsOf: ReadonlyMap<string, string>, n: number): number {
  for (let i = 0; i < way.length; i++) {
    const node = way[i]!;
    const t = node === hostLabel ? '-' : node !== 'outside' ? (netnsOf.get(node) ?? node) : undefined;
    if (t === undefined) continue;
    let known = false;
    for (let j = 0; j < n && !known; j++) known = touchList[j] === t;
    if (!known) touchList[n++] = t;
  }
  return n;
}

/** The first address of a node (IPv4 preferred), if it has one; remembered per node. */
function firstAddressFinder(r: Resolved): (node: string) => string | undefined {
  const known = new Map<string, string | undefined>();
  return (node) => {
    const text = known.get(node);
    if (text !== undefined || known.has(node)) return text;
    // The first IPv4 address of its interfaces, or else its first address.
    let first: Cidr | undefined;
    let a: Cidr | undefined;
    for (const i of r.l3ByNode.get(node) ?? []) {
      for (const x of i.addresses) {
        first ??= x;
        if (x.family === 4) {
          a = x;
          break;
        }
      }
      if (a) break;
    }
    a ??= first;
    const found = a ? formatIp(a.family, a.value) : undefined;
    known.set(node, found);
    return found;
  };
}

/** Derives the probes for a planned topology and its resolved view. */
export function planProbes(p: Plan, r: Resolved): PlannedProbe[] {
  const facts: ForwardingFacts = {
    forwarding: new Set(p.namespaces.filter((n) => n.forwarding).map((n) => n.node)),
    hostForwards: p.host.forwarding.length > 0,
    masquerade: p.firewall.masquerade.map((m) => m.source),
  };
  const model = new ReachModel(r, facts);
  const probes: PlannedProbe[] = [];
  const firstAddress = firstAddressFinder(r);
  const namespaces = [...r.nodes.values()].filter((n) => n.kind === 'namespace');
  const netns = (id: string): string => r.netnsOf.get(id) ?? id;
  const hostKey = model.hostKey;
  const hostLabel = r.hostId ?? 'host';
  const footprint = (v: Verdict): Pick<PlannedProbe, 'touches' | 'neighbours' | 'impairment'> => {
    const touches = touchesOf(v, hostLabel, r.netnsOf);
    const impairment = pathImpairment(r, v);
    const f: Pick<PlannedProbe, 'touches' | 'neighbours' | 'impairment'> = { touches, neighbours: neighbourCost(v) };
    if (impairment) f.impairment = impairment;
    return f;
  };
  /**
   * A derived ping probe: its ends, then what the model expects and the footprint. One literal
   * for each shape, since a large lab derives three probes per namespace: spreads in the middle
   * of a literal are slow, and a field added afterwards made each probe twice as large.
   */
  const derived = (id: string, netns: string | null, fromLabel: string, toLabel: string, address: string, v: Verdict, origin: PlannedProbe['origin']): PlannedProbe => {
    // The footprint's parts without footprint()'s object, made for each of a large lab's 30,000 probes.
    const touches = touchesOf(v, hostLabel, r.netnsOf);
    const neighbours = neighbourCost(v);
    const impairment = pathImpairment(r, v);
    const expect = v.reachable ? 'reachable' : 'unreachable';
    return impairment
      ? { id, netns, fromLabel, toLabel, kind: 'ping', address, expect, reason: v.reason, touches, neighbours, impairment, origin }
      : { id, netns, fromLabel, toLabel, kind: 'ping', address, expect, reason: v.reason, touches, neighbours, origin };
  };

  const pair = (from: string, to: string): void => {
    const address = firstAddress(to);
    if (address === undefined || (r.l3ByNode.get(from) ?? []).length === 0) return;
    probes.push(derived(flat`${from}->${to}`, netns(from), from, to, address, model.roundTrip(from, address), 'pair'));
  };
  if (namespaces.length <= ALL_PAIRS_LIMIT) {
    for (let i = 0; i < namespaces.length; i++) for (let j = i + 1; j < namespaces.length; j++) pair(namespaces[i]!.id, namespaces[j]!.id);
  } else {
    for (let i = 0; i < namespaces.length; i++) pair(namespaces[i]!.id, namespaces[(i + 1) % namespaces.length]!.id);
  }

  // The host reaches namespaces only through its own addresses in the lab (a bridge address or a host veth end).
  if ((r.l3ByNode.get(hostKey) ?? []).some((i) => i.addresses.length > 0)) {
    namespaces.forEach((n) => {
      const address = firstAddress(n.id);
      if (address === undefined) return;
      probes.push(derived(flat`${hostLabel}->${n.id}`, null, hostLabel, n.id, address, model.roundTrip(hostKey, address), 'host'));
    });
  }

  const internet = r.internetId !== undefined ? r.nodes.get(r.internetId) : undefined;
  const target = internet?.kind === 'internet' ? internet.target : undefined;
  if (internet && target !== undefined) {
    namespaces.forEach((n) => {
      if ((r.l3ByNode.get(n.id) ?? []).length === 0) return;
      probes.push(derived(flat`${n.id}->${internet.id}`, netns(n.id), n.id, internet.id, target, model.roundTrip(n.id, target), 'outside'));
    });
  }

  for (const f of p.firewall.portForwards) {
    if (f.proto !== 'tcp' || f.netns === undefined) continue;
    probes.push({
      id: `${hostLabel}->${f.id}`,
      netns: null,
      fromLabel: hostLabel,
      toLabel: f.id,
      kind: 'tcp',
      // The DNAT rule is in the table of the forward's family, so the probe aims at the uplink's address of that family.
      address: f.family === 6 ? '@uplink6' : '@uplink',
      port: f.hostPort,
      expect: 'reachable',
      reason: `port ${f.hostPort} on the uplink is forwarded to ${f.to}:${f.toPort}`,
      ...footprint(model.roundTrip(hostKey, f.to)),
      origin: 'port-forward',
      listen: { netns: f.netns, address: f.to, port: f.toPort },
    });
  }

  for (const u of r.doc.probes) {
    const fromNode = r.nodes.get(u.from);
    if (!fromNode) continue;
    const fromKey = fromNode.kind === 'host' ? hostKey : u.from;
    const toNode = r.nodes.get(u.to);
    // Bridges and the host share the root namespace: a probe to either targets the host's first lab address.
    const toKey = toNode?.kind === 'host' || toNode?.kind === 'bridge' ? hostKey : u.to;
    const address = toNode?.kind === 'internet' ? toNode.target : toNode ? firstAddress(toKey) : parseIp(u.to) ? u.to : undefined;
    if (address === undefined) continue;
    const verdict = model.roundTrip(fromKey, address);
    probes.push({
      id: u.id,
      netns: fromNode.kind === 'host' ? null : netns(u.from),
      fromLabel: u.from,
      toLabel: u.to,
      kind: u.kind,
      address,
      ...(u.port !== undefined ? { port: u.port } : {}),
      expect: u.expect,
      reason: verdict.reachable === (u.expect === 'reachable') ? verdict.reason : `set by hand; the model predicts ${verdict.reachable ? 'reachable' : 'unreachable'}: ${verdict.reason}`,
      ...footprint(verdict),
      origin: 'user',
    });
  }
  return probes;
}
