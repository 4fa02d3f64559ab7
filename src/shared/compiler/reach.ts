/**
 * A small model of IPv4/IPv6 forwarding over the resolved topology: longest-prefix routing per
 * node, next hops found on L2 segments, forwarding flags, the host's uplink and masquerade.
 * It predicts what `verify` should observe, so every derived probe carries an expectation and
 * a reason a user can read.
 */
import { contains, formatIp, parseCidr, parseIp, prefixMask, type Family } from '../model/net.js';
import { flat } from '../flat.js';
import { ROOT_KEY, type Iface, type Resolved, type Segment } from '../model/resolve.js';

/** A node taking part in routing: a namespace node id, the host key, or the outside world. */
export const OUTSIDE = '#outside';

interface RouteEntry {
  family: Family;
  network: bigint;
  prefix: number;
  mask: bigint;
  /** Connected interface, or the interface a gateway is reached through. */
  iface?: Iface;
  via?: bigint;
  /** The host's own default route out of its uplink. */
  uplink?: true;
  connected: boolean;
}

/**
 * A node's routes of one family and prefix length, in table order: a lookup masks the address
 * once per prefix length in use, not once per route (each mask makes a new bigint, and a host
 * with a bridge for every 200 of 10,000 namespaces has 50 connected routes).
 */
interface PrefixGroup {
  family: Family;
  mask: bigint;
  routes: RouteEntry[];
}

/** What the planner decided about forwarding, needed to predict reachability. */
export interface ForwardingFacts {
  /** Namespace node ids that forward. */
  forwarding: ReadonlySet<string>;
  /** True when the host forwards (ip_forward=1). */
  hostForwards: boolean;
  /** Masqueraded source subnets (text CIDR). */
  masquerade: readonly string[];
}

export interface Verdict {
  reachable: boolean;
  /** Node keys visited, in order (the host is shown as its node id, or "host"). */
  path: string[];
  /** For a round trip that got there: the answer's way back, as far as it went. */
  back?: string[];
  /** Why: the first obstacle for unreachable, a one-line route summary otherwise. */
  reason: string;
}

/** Answers "can A reach address X and get an answer back?" for the resolved topology. */
export class ReachModel {
  /** Each node's route table, longest prefix first. */
  private readonly tables = new Map<string, PrefixGroup[]>();
  /** Owner node of each address, per family. */
  private readonly owners: Record<Family, Map<bigint, string>> = { 4: new Map(), 6: new Map() };
  /** The members of each segment holding each address, in member order: a next hop is one lookup, not a walk over a bridge's ports. */
  private readonly holders = new Map<number, Record<Family, Map<bigint, Iface[]>>>();
  private readonly masquerade: ReturnType<typeof parseCidr>[];
  private readonly addresses = new Map<string, ReturnType<typeof parseIp>>();
  private readonly masqueradedReasons = new Map<string, string>();
  readonly hostKey: string;

  constructor(
    private readonly r: Resolved,
    private readonly facts: ForwardingFacts,
  ) {
    this.hostKey = r.hostId ?? ROOT_KEY;
    for (const s of r.segments) this.holders.set(s.id, holdersOf(s));
    // forEach, not for...of over entries: that makes a pair and a result object per node until optimized.
    r.l3ByNode.forEach((ifaces, node) => {
      for (const i of ifaces) for (const a of i.addresses) this.owners[a.family].set(a.value, node);
    });
    r.l3ByNode.forEach((ifaces, node) => this.tables.set(node, byPrefix(this.buildTable(node, ifaces))));
    if (!this.tables.has(this.hostKey)) this.tables.set(this.hostKey, byPrefix(this.buildTable(this.hostKey, [])));
    this.masquerade = facts.masquerade.map((m) => parseCidr(m));
  }

  /** Node key owning the address, if any node of the lab does. */
  ownerOf(family: Family, value: bigint): string | undefined {
    return this.owners[family].get(value);
  }

  /** Display name of a node key. */
  label(key: string): string {
    if (key === OUTSIDE) return 'outside';
    if (key === ROOT_KEY) return 'host';
    return key;
  }

  private buildTable(node: string, ifaces: Iface[]): RouteEntry[] {
    const table: RouteEntry[] = [];
    for (const i of ifaces) {
      for (const a of i.addresses) {
        const mask = prefixMask(a.family, a.prefix);
        table.push({ family: a.family, network: a.value & mask, prefix: a.prefix, mask, iface: i, connected: true });
      }
    }
    const n = this.r.nodes.get(node);
    const routes = n && (n.kind === 'namespace' || n.kind === 'host') ? n.routes : [];
    for (const route of routes) {
      const via = route.via ? this.parsed(route.via) : undefined;
      const dest = route.to === 'default' || route.to === 'default6' ? undefined : parseCidr(route.to);
      const family: Family = dest?.family ?? via?.family ?? (route.to === 'default6' ? 6 : 4);
      const prefix = dest?.prefix ?? 0;
      const mask = prefixMask(family, prefix);
      const network = dest ? dest.value & mask : 0n;
      const iface = route.dev
        ? ifaces.find((i) => i.name === route.dev)
        : via
          ? ifaces.find((i) => i.addresses.some((a) => contains(a, via.family, via.value)))
          : undefined;
      const entry: RouteEntry = { family, network, prefix, mask, connected: false };
      if (iface) entry.iface = iface;
      if (via) entry.via = via.value;
      table.push(entry);
    }
    if (node === this.hostKey && this.r.internetId !== undefined) {
      for (const family of [4, 6] as const) table.push({ family, network: 0n, prefix: 0, mask: 0n, uplink: true, connected: false });
    }
    // Longest prefix first; connected routes win ties, as the kernel's metric 0 does. Most tables
    // are in that order already, and sort() makes a work copy of each.
    for (let i = 1; i < table.length; i++) if (before(table[i - 1]!, table[i]!) > 0) return table.sort(before);
    return table;
  }

  private forwards(node: string): boolean {
    if (node === this.hostKey) return this.facts.hostForwards;
    return this.facts.forwarding.has(node);
  }

  private lookup(node: string, family: Family, dst: bigint): RouteEntry | undefined {
    for (const g of this.tables.get(node) ?? []) {
      if (g.family !== family) continue;
      const network = dst & g.mask;
      for (const e of g.routes) if (e.network === network) return e;
    }
    return undefined;
  }

  /**
   * One-way delivery from `from` to `dst`; returns the path and the source address used. The
   * reason of a delivery that arrives is left empty unless `describe` (a way back's is never read).
   */
  private deliver(from: string, family: Family, dst: bigint, describe = true): Verdict & { source?: bigint | undefined; exitedUplink: boolean } {
    const path = [from];
    let source: bigint | undefined;
    let node = from;
    const target = this.ownerOf(family, dst);
    for (let hop = 0; hop < 64; hop++) {
      if (node === target) {
        const labels = this.labels(path);
        return { reachable: true, path: labels, reason: describe ? flat`via ${labels.join(' -> ')}` : '', source, exitedUplink: false };
      }
      const route = this.lookup(node, family, dst);
      if (!route) {
        return this.fail(path, `${this.label(node)} has no route to ${formatIp(family, dst)}`);
      }
      if (route.uplink) {
        if (node !== from && !this.forwards(node)) return this.fail(path, `the host does not forward (ip_forward is off)`);
        if (target !== undefined) return this.fail(path, `the host sends ${formatIp(family, dst)} out of its uplink, but it is inside the lab`);
        path.push(OUTSIDE);
        return { reachable: true, path: this.labels(path), reason: `out of the host's uplink`, source, exitedUplink: true };
      }
      if (!route.iface) return this.fail(path, `${this.label(node)}: the gateway of its route to ${formatIp(family, dst)} is not on a connected subnet`);
      if (node === from) source = firstOfFamily(route.iface, family);
      const nextHop = route.via ?? dst;
      const next = otherThan(this.holders.get(route.iface.segment)?.[family].get(nextHop), route.iface);
      if (!next) {
        return this.fail(path, `nobody on ${route.iface.name} answers for ${formatIp(family, nextHop)}`);
      }
      const nextNode = next.node;
      if (nextNode !== target && !this.forwards(nextNode)) {
        path.push(nextNode);
        return this.fail(path, `${this.label(nextNode)} does not forward packets (it is not a router)`);
      }
      if (path.includes(nextNode)) return this.fail([...path, nextNode], `routing loop at ${this.label(nextNode)}`);
      path.push(nextNode);
      node = nextNode;
    }
    return this.fail(path, 'too many hops');
  }

  private fail(path: string[], reason: string): Verdict & { exitedUplink: boolean } {
    return { reachable: false, path: this.labels(path), reason, exitedUplink: false };
  }

  /** The display names of a path of node keys: the path itself when every key is its own name (no host key, no outside). */
  private labels(path: string[]): string[] {
    for (const k of path) if (this.label(k) !== k) return path.map((x) => this.label(x));
    return path;
  }

  /** `REASON, masqueraded`, one string for each reason (every namespace that goes out says the same). */
  private masqueraded(reason: string): string {
    let text = this.masqueradedReasons.get(reason);
    if (text === undefined) this.masqueradedReasons.set(reason, (text = `${reason}, masqueraded`));
    return text;
  }

  /** parseIp, once per address text: a large lab's probes aim at the same few addresses again and again (the outside target). Read-only. */
  private parsed(address: string): ReturnType<typeof parseIp> {
    if (this.addresses.has(address)) return this.addresses.get(address);
    const ip = parseIp(address);
    this.addresses.set(address, ip);
    return ip;
  }

  /** Round trip: `from` reaches `address` and the answer finds its way back. */
  roundTrip(from: string, address: string): Verdict {
    const ip = this.parsed(address);
    if (!ip) return { reachable: false, path: [], reason: `${address} is not an address` };
    const there = this.deliver(from, ip.family, ip.value);
    if (!there.reachable) return there;
    if (there.exitedUplink) {
      if (from === this.hostKey) return there;
      const src = there.source;
      const masqueraded =
        src !== undefined && this.masquerade.some((c) => c !== undefined && contains(c, ip.family, src));
      if (!masqueraded) {
        return { ...there, reachable: false, reason: `no masquerade for ${src === undefined ? 'its source address' : formatIp(ip.family, src)}: replies from outside cannot return` };
      }
      return { ...there, reason: this.masqueraded(there.reason) };
    }
    const owner = this.ownerOf(ip.family, ip.value);
    if (there.source === undefined || owner === undefined) return there;
    const back = this.deliver(owner, ip.family, there.source, false);
    if (!back.reachable) return { reachable: false, path: there.path, back: back.path, reason: `no way back: ${back.reason}` };
    return { reachable: true, path: there.path, back: back.path, reason: there.reason };
  }
}

/** Table order: longest prefix first, connected routes first among equals. */
function before(x: RouteEntry, y: RouteEntry): number {
  return y.prefix - x.prefix || Number(y.connected) - Number(x.connected);
}

/** The value of an interface's first address of a family. */
function firstOfFamily(i: Iface, family: Family): bigint | undefined {
  for (const a of i.addresses) if (a.family === family) return a.value;
  return undefined;
}

/** The first of `list` that is not `i`. */
function otherThan(list: readonly Iface[] | undefined, i: Iface): Iface | undefined {
  if (list) for (const m of list) if (m !== i) return m;
  return undefined;
}

/** Groups a table (longest prefix first) by family and prefix length, keeping its order. */
function byPrefix(table: readonly RouteEntry[]): PrefixGroup[] {
  const groups: PrefixGroup[] = [];
  for (const e of table) {
    let g = groups.find((x) => x.family === e.family && x.mask === e.mask);
    if (!g) groups.push((g = { family: e.family, mask: e.mask, routes: [] }));
    g.routes.push(e);
  }
  return groups;
}

/** The members of a segment holding each address, in member order. */
function holdersOf(s: Segment): Record<Family, Map<bigint, Iface[]>> {
  const out: Record<Family, Map<bigint, Iface[]>> = { 4: new Map(), 6: new Map() };
  for (const m of s.members) {
    for (const a of m.addresses) {
      const list = out[a.family].get(a.value);
      if (!list) out[a.family].set(a.value, [m]);
      else if (list.at(-1) !== m) list.push(m);
    }
  }
  return out;
}
