/**
 * Address proposals for new links: fresh subnets in the tutorial's style (192.168.15.0/24 first,
 * then 192.168.16.0/24, ...) and the next free host address on a segment. Everything the
 * document already uses is avoided, so a proposal never makes the validator report a clash.
 */
import { bits, contains, formatIp, ipKey, isNetworkOrBroadcast, networkOf, overlaps, parseCidr, parseIp, type Cidr, type Family } from '../model/net.js';
import type { Resolved } from '../model/resolve.js';
import type { Doc } from './view.js';

/** A subnet without a host part: `{family: 4, network: 192.168.15.0, prefix: 24}`. */
export interface Subnet {
  family: Family;
  network: bigint;
  prefix: number;
}

/** `192.168.15.0/24`. */
export function subnetString(s: Subnet): string {
  return `${formatIp(s.family, s.network)}/${s.prefix}`;
}

/** `192.168.15.7/24` for host 7 of 192.168.15.0/24. */
export function addressString(s: Subnet, value: bigint): string {
  return `${formatIp(s.family, value)}/${s.prefix}`;
}

/** The subnet an address lies in. */
export function subnetOf(c: Cidr): Subnet {
  return { family: c.family, network: networkOf(c), prefix: c.prefix };
}

function size(s: Subnet): bigint {
  return 1n << BigInt(bits(s.family) - s.prefix);
}

/** First and last address an interface may own in the subnet: the model's one rule (isNetworkOrBroadcast) at both ends. */
export function hostRange(s: Subnet): { first: bigint; last: bigint } {
  const end = s.network + size(s) - 1n;
  const usable = (value: bigint) => !isNetworkOrBroadcast({ family: s.family, value, prefix: s.prefix });
  return { first: usable(s.network) ? s.network : s.network + 1n, last: usable(end) ? end : end - 1n };
}

/** The subnet as the model's prefix shape, for its contains and overlaps. */
const asPrefix = (s: Subnet) => ({ family: s.family, value: s.network, prefix: s.prefix });

/** The /24 containing an IPv4 address, as a key. */
const slash24 = (value: bigint): bigint => value >> 8n;

/**
 * The addresses and subnets a document uses, and proposals that avoid them. Claims made here
 * count as used for later proposals, so several proposals in one command never collide.
 */
export class AddressBook {
  private readonly used = new Set<string>();
  /** IPv4 /24 blocks that hold a used subnet of prefix 24 or longer. */
  private readonly blocks24 = new Set<bigint>();
  /** Used subnets that a /24 lookup cannot answer: IPv4 shorter than /24, and all IPv6. */
  private readonly wide = new Map<string, Subnet>();

  /** Every interface address (link ends, bridges), masquerade source, route destination and port forward target of the document. */
  static of(doc: Doc, r: Resolved): AddressBook {
    const book = new AddressBook();
    for (const i of r.ifaces) for (const c of i.addresses) book.claimAddress(c);
    for (const m of doc.nat?.masquerade ?? []) {
      const c = parseCidr(m.source);
      if (c) book.claimSubnet(subnetOf(c));
    }
    for (const p of doc.nat?.portForwards ?? []) {
      const ip = parseIp(p.to);
      if (ip) book.used.add(ipKey(ip.family, ip.value));
    }
    for (const n of doc.nodes ?? []) {
      if (n.kind !== 'namespace' && n.kind !== 'host') continue;
      for (const route of n.routes ?? []) {
        const c = parseCidr(route.to);
        if (c && c.prefix > 0) book.claimSubnet(subnetOf(c));
      }
    }
    return book;
  }

  /** Marks an interface address and its subnet as used. */
  claimAddress(c: Cidr): void {
    this.used.add(ipKey(c.family, c.value));
    this.claimSubnet(subnetOf(c));
  }

  /** Marks a subnet as used, so fresh subnets avoid it. */
  claimSubnet(s: Subnet): void {
    if (s.family === 4 && s.prefix >= 24) this.blocks24.add(slash24(s.network));
    else this.wide.set(subnetString(s), s);
  }

  isUsed(family: Family, value: bigint): boolean {
    return this.used.has(ipKey(family, value));
  }

  /** True when the subnet overlaps any used subnet. */
  overlapsUsed(s: Subnet): boolean {
    for (const w of this.wide.values()) if (overlaps(asPrefix(w), asPrefix(s))) return true;
    if (s.family !== 4) return false;
    if (s.prefix >= 24) return this.blocks24.has(slash24(s.network));
    const first = slash24(s.network);
    const count = 1n << BigInt(24 - s.prefix);
    // A wide IPv4 subnet is rare in a drawing; scan the used blocks instead of the subnet's.
    if (count > BigInt(this.blocks24.size)) return [...this.blocks24].some((b) => b >= first && b < first + count);
    for (let b = first; b < first + count; b++) if (this.blocks24.has(b)) return true;
    return false;
  }

  /**
   * A /24 no part of the document uses, claimed: 192.168.15.0/24 (the tutorial's) first, then
   * 192.168.16-255, 192.168.0-14, then 10.0.0.0/24 upwards. Undefined when all of them are used.
   */
  freshSubnet24(): Subnet | undefined {
    for (const s of freshCandidates()) {
      if (this.overlapsUsed(s)) continue;
      this.claimSubnet(s);
      return s;
    }
    return undefined;
  }

  /**
   * A free subnet of the same size as `s`, claimed: `s` itself when nothing overlaps it, else the
   * tutorial's fresh /24s for an IPv4 /24, else the next free block after `s`. Undefined when
   * none is found within 4096 blocks.
   */
  relocate(s: Subnet): Subnet | undefined {
    if (!this.overlapsUsed(s)) {
      this.claimSubnet(s);
      return s;
    }
    if (s.family === 4 && s.prefix === 24) return this.freshSubnet24();
    const block = size(s);
    const space = 1n << BigInt(bits(s.family));
    for (let k = 1n; k <= 4096n; k++) {
      const candidate: Subnet = { ...s, network: (s.network + k * block) % space };
      if (this.overlapsUsed(candidate)) continue;
      this.claimSubnet(candidate);
      return candidate;
    }
    return undefined;
  }

  /**
   * The lowest free host address in the subnet, claimed; `preferred` (a host number such as 5
   * for the host's .5) is taken first when it is free. Undefined when the subnet is full.
   */
  nextFree(s: Subnet, preferred?: number): bigint | undefined {
    const { first, last } = hostRange(s);
    const claim = (value: bigint): bigint => {
      this.used.add(ipKey(s.family, value));
      return value;
    };
    if (preferred !== undefined) {
      const value = s.network + BigInt(preferred);
      if (value >= first && value <= last && !this.isUsed(s.family, value)) return claim(value);
    }
    for (let value = first; value <= last; value++) if (!this.isUsed(s.family, value)) return claim(value);
    return undefined;
  }
}

function* freshCandidates(): Generator<Subnet> {
  const v4 = (a: number, b: number, c: number): Subnet => ({ family: 4, network: BigInt(((a << 24) | (b << 16) | (c << 8)) >>> 0), prefix: 24 });
  for (let c = 15; c <= 255; c++) yield v4(192, 168, c);
  for (let c = 0; c < 15; c++) yield v4(192, 168, c);
  for (let b = 0; b <= 255; b++) for (let c = 0; c <= 255; c++) yield v4(10, b, c);
}

/** True when `value` lies in the subnet. */
export function inSubnet(s: Subnet, family: Family, value: bigint): boolean {
  return contains(asPrefix(s), family, value);
}
