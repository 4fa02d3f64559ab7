/**
 * A small model of IPv4/IPv6 forwarding over the resolved topology: longest-prefix routing per
 * node, next hops found on L2 segments, forwarding flags, the host's uplink and masquerade.
 * It predicts what `verify` should observe, so every derived probe carries an expectation and
 * a reason a user can read.
 */
import { formatIp, parseCidr, parseIp, prefixMask, type Cidr, type Family } from '../model/net.js';
import { flat } from '../flat.js';
import { ROOT_KEY, type Iface, type Resolved, type Segment } from '../model/resolve.js';
import { routeDestination, routeFamily } from '../model/routes.js';

/** A node taking part in routing: a namespace node id, the host key, or the outside world. */
export const OUTSIDE = '#outside';

/**
 * An address, network or netmask inside the model: IPv4 as a 32-bit integer (a plain number, as
 * `| 0` makes it), IPv6 as a bigint. Masking an IPv4 address then makes no new object: with
 * bigints, every mask of every lookup did, tens of thousands per probe planning of a large lab.
 */
type Value = number | bigint;

/** The model's value of an address of a family (see Value). */
function valueOf(family: Family, value: bigint): Value {
  return family === 4 ? Number(value) | 0 : value;
}

/** The address of a value, as formatIp() takes it. */
function bigOf(value: Value): bigint {
  return typeof value === 'number' ? BigInt(value >>> 0) : value;
}

/** The IPv4 netmasks as 32-bit integers, by prefix length. */
const MASKS4: number[] = Array.from({ length: 33 }, (_, prefix) => (prefix === 0 ? 0 : (-1 << (32 - prefix)) | 0));

/** The netmask of a prefix length, as a value. */
function maskOf(family: Family, prefix: number): Value {
  return family === 4 ? MASKS4[prefix]! : prefixMask(family, prefix);
}

/** `value & mask` for two values of the same family. */
function masked(value: Value, mask: Value): Value {
  return typeof value === 'number' ? value & (mask as number) : value & (mask as bigint);
}

/** True when a value of a family lies inside the subnet of `c` (as contains() of net.ts). */
function inSubnet(c: Cidr, family: Family, value: Value): boolean {
  if (c.family !== family) return false;
  const mask = maskOf(family, c.prefix);
  return masked(value, mask) === masked(valueOf(family, c.value), mask);
}

/** A subnet as the model compares it: its network and mask. */
interface Subnet {
  family: Family;
  network: Value;
  mask: Value;
}

interface RouteEntry {
  family: Family;
  network: Value;
  prefix: number;
  mask: Value;
  /** Connected interface, or the interface a gateway is reached through. */
  iface?: Iface;
  via?: Value;
  /** The host's own default route out of its uplink. */
  uplink?: true;
  connected: boolean;
  /**
   * The first address of its interface in its family, the source of what its node sends by it
   * (null when there is none): found at its first use, since every probe from the node asks.
   */
  source: Value | null | undefined;
}

/**
 * A node's routes of one family and prefix length, in table order: a lookup masks the address
 * once per prefix length in use, not once per route (each mask makes a new bigint, and a host
 * with a bridge for every 200 of 10,000 namespaces has 50 connected routes).
 */
interface PrefixGroup {
  family: Family;
  mask: Value;
  routes: RouteEntry[];
  /** For a group of many routes (the host's connected subnets): the first route of each network, found without a walk. */
  byNetwork?: Map<Value, RouteEntry>;
}

/** Routes of one prefix length from which a group finds them by network (a map) instead of walking them. */
const INDEXED_ROUTES = 8;

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
  private readonly owners: Record<Family, Map<Value, string>> = { 4: new Map(), 6: new Map() };
  /** The members of each segment holding each address, in member order: a next hop is one lookup, not a walk over a bridge's ports. */
  private readonly holders = new Map<number, Record<Family, Map<Value, Iface[]>>>();
  /** The masqueraded source subnets (those that parse). */
  private readonly masquerade: Subnet[] = [];
  private readonly addresses = new Map<string, { family: Family; value: Value } | undefined>();
  private readonly masqueradedReasons = new Map<string, string>();
  /** The way of the delivery under way, reused: each delivery's path is an exact copy of it (see labels). */
  private readonly way: string[] = [];
  readonly hostKey: string;

  constructor(
    private readonly r: Resolved,
    private readonly facts: ForwardingFacts,
  ) {
    this.hostKey = r.hostId ?? ROOT_KEY;
    for (const s of r.segments) this.holders.set(s.id, holdersOf(s));
    // forEach, not for...of over entries: that makes a pair and a result object per node until optimized.
    r.l3ByNode.forEach((ifaces, node) => {
      for (let i = 0; i < ifaces.length; i++) {
        const addresses = ifaces[i]!.addresses;
        for (let j = 0; j < addresses.length; j++) this.owners[addresses[j]!.family].set(valueOf(addresses[j]!.family, addresses[j]!.value), node);
      }
    });
    r.l3ByNode.forEach((ifaces, node) => this.tables.set(node, byPrefix(this.buildTable(node, ifaces))));
    if (!this.tables.has(this.hostKey)) this.tables.set(this.hostKey, byPrefix(this.buildTable(this.hostKey, [])));
    for (const m of facts.masquerade) {
      const c = parseCidr(m);
      if (!c) continue;
      const mask = maskOf(c.family, c.prefix);
      this.masquerade.push({ family: c.family, network: masked(valueOf(c.family, c.value), mask), mask });
    }
  }

  /** Node key owning the address, if any node of the lab does. */
  private ownerOf(family: Family, value: Value): string | undefined {
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
    for (let iI = 0; iI < ifaces.length; iI++) {
      const i = ifaces[iI]!;
      for (let iA = 0; iA < i.addresses.length; iA++) {
        const a = i.addresses[iA]!;
        const mask = maskOf(a.family, a.prefix);
        table.push({ family: a.family, network: masked(valueOf(a.family, a.value), mask), prefix: a.prefix, mask, iface: i, connected: true, source: undefined });
      }
    }
    const n = this.r.nodes.get(node);
    const routes = n && (n.kind === 'namespace' || n.kind === 'host') ? n.routes : [];
    for (let iR = 0; iR < routes.length; iR++) {
      const route = routes[iR]!;
      const via = route.via ? this.parsed(route.via) : undefined;
      const dest = routeDestination(route.to);
      const family = routeFamily(route.to);
      const prefix = dest?.prefix ?? 0;
      const mask = maskOf(family, prefix);
      const network = dest ? masked(valueOf(family, dest.value), mask) : valueOf(family, 0n);
      const iface = route.dev ? ifaces.find((i) => i.name === route.dev) : via ? ifaceFor(ifaces, via.family, via.value) : undefined;
      const entry: RouteEntry = { family, network, prefix, mask, connected: false, source: undefined };
      if (iface) entry.iface = iface;
      if (via) entry.via = via.value;
      table.push(entry);
    }
    if (node === this.hostKey && this.r.internetId !== undefined) {
      for (const family of [4, 6] as const) table.push({ family, network: valueOf(family, 0n), prefix: 0, mask: maskOf(family, 0), uplink: true, connected: false, source: undefined });
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

  private lookup(node: string, family: Family, dst: Value): RouteEntry | undefined {
    const groups = this.tables.get(node);
    if (!groups) return undefined;
    for (let iG = 0; iG < groups.length; iG++) {
      const g = groups[iG]!;
      if (g.family !== family) continue;
      const network = masked(dst, g.mask);
      if (g.byNetwork) {
        const e = g.byNetwork.get(network);
        if (e) return e;
        continue;
      }
      const routes = g.routes;
      for (let iE = 0; iE < routes.length; iE++) if (routes[iE]!.network === network) return routes[iE];
    }
    return undefined;
  }

  /**
   * One-way delivery from `from` to `dst`; returns the path and the source address used. The
   * reason of a delivery that arrives is left empty unless `describe` (a way back's is never read).
   */
  private deliver(from: string, family: Family, dst: Value, describe = true): Verdict & { source?: Value | undefined; exitedUplink: boolean } {
    // The nodes so far are the first n of the reused way: a path grown by push() kept room for 16 more.
    const way = this.way;
    let n = 0;
    way[n++] = from;
    let source: Value | undefined;
    let node = from;
    const target = this.ownerOf(family, dst);
    for (let hop = 0; hop < 64; hop++) {
      if (node === target) {
        const labels = this.labels(n);
        return { reachable: true, path: labels, reason: describe ? flat`via ${labels.join(' -> ')}` : '', source, exitedUplink: false };
      }
      const route = this.lookup(node, family, dst);
      if (!route) {
        return this.fail(n, `${this.label(node)} has no route to ${formatIp(family, bigOf(dst))}`);
      }
      if (route.uplink) {
        if (node !== from && !this.forwards(node)) return this.fail(n, `the host does not forward (ip_forward is off)`);
        if (target !== undefined) return this.fail(n, `the host sends ${formatIp(family, bigOf(dst))} out of its uplink, but it is inside the lab`);
        way[n++] = OUTSIDE;
        return { reachable: true, path: this.labels(n), reason: `out of the host's uplink`, source, exitedUplink: true };
      }
      if (!route.iface) return this.fail(n, `${this.label(node)}: the gateway of its route to ${formatIp(family, bigOf(dst))} is not on a connected subnet`);
      if (node === from) {
        if (route.source === undefined) route.source = firstOfFamily(route.iface, family) ?? null;
        source = route.source ?? undefined;
      }
      const nextHop = route.via ?? dst;
      const next = otherThan(this.holders.get(route.iface.segment)?.[family].get(nextHop), route.iface);
      if (!next) {
        return this.fail(n, `nobody on ${route.iface.name} answers for ${formatIp(family, bigOf(nextHop))}`);
      }
      const nextNode = next.node;
      if (nextNode !== target && !this.forwards(nextNode)) {
        way[n++] = nextNode;
        return this.fail(n, `${this.label(nextNode)} does not forward packets (it is not a router)`);
      }
      let visited = false;
      for (let i = 0; i < n && !visited; i++) visited = way[i] === nextNode;
      way[n++] = nextNode;
      if (visited) return this.fail(n, `routing loop at ${this.label(nextNode)}`);
      node = nextNode;
    }
    return this.fail(n, 'too many hops');
  }

  /** A delivery that stops after the first n nodes of the way. */
  private fail(n: number, reason: string): Verdict & { source?: Value | undefined; exitedUplink: boolean } {
    return { reachable: false, path: this.labels(n), reason, source: undefined, exitedUplink: false };
  }

  /** The display names of the first n nodes of the way, as a list of exactly that size. */
  private labels(n: number): string[] {
    const way = this.way;
    const labels = new Array<string>(n);
    for (let i = 0; i < n; i++) labels[i] = this.label(way[i]!);
    return labels;
  }

  /** `REASON, masqueraded`, one string for each reason (every namespace that goes out says the same). */
  private masqueraded(reason: string): string {
    let text = this.masqueradedReasons.get(reason);
    if (text === undefined) this.masqueradedReasons.set(reason, (text = `${reason}, masqueraded`));
    return text;
  }

  /** parseIp as a value, once per address text: a large lab's probes aim at the same few addresses again and again (the outside target). Read-only. */
  private parsed(address: string): { family: Family; value: Value } | undefined {
    const known = this.addresses.get(address);
    if (known !== undefined || this.addresses.has(address)) return known;
    const parsed = parseIp(address);
    const ip = parsed ? { family: parsed.family, value: valueOf(parsed.family, parsed.value) } : undefined;
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
      const masqueraded = src !== undefined && this.masquerade.some((c) => c.family === ip.family && masked(src, c.mask) === c.network);
      if (!masqueraded) {
        return { reachable: false, path: there.path, reason: `no masquerade for ${src === undefined ? 'its source address' : formatIp(ip.family, bigOf(src))}: replies from outside cannot return` };
      }
      return { reachable: true, path: there.path, reason: this.masqueraded(there.reason) };
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
function firstOfFamily(i: Iface, family: Family): Value | undefined {
  const addresses = i.addresses;
  for (let iA = 0; iA < addresses.length; iA++) if (addresses[iA]!.family === family) return valueOf(family, addresses[iA]!.value);
  return undefined;
}

/** The first of `ifaces` with an address whose subnet holds a gateway. */
function ifaceFor(ifaces: readonly Iface[], family: Family, via: Value): Iface | undefined {
  for (let iI = 0; iI < ifaces.length; iI++) {
    const addresses = ifaces[iI]!.addresses;
    for (let iA = 0; iA < addresses.length; iA++) if (inSubnet(addresses[iA]!, family, via)) return ifaces[iI];
  }
  return undefined;
}

/** The first of `list` that is not `i`. */
function otherThan(list: readonly Iface[] | undefined, i: Iface): Iface | undefined {
  if (list) for (let iM = 0; iM < list.length; iM++) if (list[iM] !== i) return list[iM];
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
  for (const g of groups) {
    if (g.routes.length < INDEXED_ROUTES) continue;
    const byNetwork = new Map<Value, RouteEntry>();
    for (const e of g.routes) if (!byNetwork.has(e.network)) byNetwork.set(e.network, e);
    g.byNetwork = byNetwork;
  }
  return groups;
}

/** The members of a segment holding each address, in member order. */
function holdersOf(s: Segment): Record<Family, Map<Value, Iface[]>> {
  const out: Record<Family, Map<Value, Iface[]>> = { 4: new Map(), 6: new Map() };
  for (let iM = 0; iM < s.members.length; iM++) {
    const m = s.members[iM]!;
    for (let iA = 0; iA < m.addresses.length; iA++) {
      const a = m.addresses[iA]!;
      const value = valueOf(a.family, a.value);
      const list = out[a.family].get(value);
      if (!list) out[a.family].set(value, [m]);
      else if (list.at(-1) !== m) list.push(m);
    }
  }
  return out;
}
