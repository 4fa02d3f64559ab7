/**
 * Addresses: host addresses only (no network or broadcast address), each address once, one
 * subnet per family on a segment, no subnet shared with or overlapping another segment's, and
 * an MTU of at least 1280 wherever IPv6 is configured (the kernel turns IPv6 off below it).
 */
import { ipKey, isNetworkOrBroadcast, networkOf, overlaps, prefixMask, subnetText, type Cidr, type Family } from '../../model/net.js';
import type { Segment } from '../../model/resolve.js';
import { describeIface, report, segmentLabel, type Context } from './context.js';

/** The smallest MTU an interface can have and still carry IPv6 (RFC 8200). */
export const IPV6_MIN_MTU = 1280;

/** Reports bad, duplicate and mismatched addresses, subnets used on two segments, and IPv6 on a small MTU. */
export function checkAddresses(ctx: Context): void {
  const { r } = ctx;
  const earlier = new SubnetIndex(r.segments.flatMap((s) => ctx.segmentSubnets.get(s.id) ?? []));
  const seen: Record<Family, Set<bigint>> = { 4: new Set(), 6: new Set() };
  for (const segment of r.segments) {
    const subnets = ctx.segmentSubnets.get(segment.id) ?? [];
    // The subnet each family is held to on this segment, looked up once, not per address.
    const subnetOf: Record<Family, Cidr | undefined> = { 4: subnets.find((s) => s.family === 4), 6: subnets.find((s) => s.family === 6) };
    const families = new Set<Family>();
    for (const i of segment.members) {
      // Paths and subnets as text only for a message: a large lab has thousands of fine addresses.
      for (let j = 0; j < i.addresses.length; j++) {
        const cidr = i.addresses[j]!;
        if (isNetworkOrBroadcast(cidr)) {
          const role = cidr.value === networkOf(cidr) ? 'network' : 'broadcast';
          report(ctx, 'error', i.element, addressField(i.path, j), `address ${cidr.text} is the ${role} address of ${subnetText(cidr)}; pick a host address inside it`);
        }
        if (seen[cidr.family].has(cidr.value)) {
          const owner = ctx.owners.get(ipKey(cidr.family, cidr.value))!;
          report(ctx, 'error', i.element, addressField(i.path, j), `address ${cidr.text} is already used by ${describeIface(owner)}; pick another address in ${subnetText(cidr)}`);
        } else seen[cidr.family].add(cidr.value);
        if (!families.has(cidr.family)) {
          families.add(cidr.family);
          const clash = earlier.find(cidr);
          if (clash && sameSubnet(clash.subnet, cidr)) {
            report(ctx, 'warning', i.element, addressField(i.path, j), `subnet ${subnetText(cidr)} is also used on segment ${segmentLabel(clash.segment)}, so routes to it are ambiguous; use a different subnet on segment ${segmentLabel(segment)}`);
          } else if (clash) {
            const other = subnetText(clash.subnet);
            report(ctx, 'warning', i.element, addressField(i.path, j), `subnet ${subnetText(cidr)} overlaps ${other} on segment ${segmentLabel(clash.segment)}, so routes to the shared addresses are ambiguous; use a subnet on segment ${segmentLabel(segment)} that does not overlap ${other}`);
          }
          earlier.add(cidr, segment);
          continue;
        }
        const expected = subnetOf[cidr.family]!;
        if (!sameSubnet(expected, cidr)) {
          report(ctx, 'error', i.element, addressField(i.path, j), `address ${cidr.text} is not in ${subnetText(expected)}, the subnet of segment ${segmentLabel(segment)}; use an address in ${subnetText(expected)}`);
        }
      }
    }
  }
  checkIpv6Mtu(ctx);
}

/** Where an interface's address is written. */
function addressField(path: string, j: number): string {
  return `${path}.addresses[${j}]`;
}

/** True when two subnets are the same (what their subnetText says), without writing either. */
function sameSubnet(x: Cidr, y: Cidr): boolean {
  return x.family === y.family && x.prefix === y.prefix && networkOf(x) === networkOf(y);
}

/**
 * IPv6 needs an MTU of 1280: a link's MTU is that of both veth ends, and a bridge takes the
 * smallest MTU of its ports, so a small port MTU takes IPv6 off the bridge too.
 */
function checkIpv6Mtu(ctx: Context): void {
  const { r } = ctx;
  const v6 = (addresses: readonly Cidr[]) => addresses.find((c) => c.family === 6);
  for (const rl of r.links) {
    const mtu = rl.link.mtu;
    if (mtu === undefined || mtu >= IPV6_MIN_MTU || !rl.a || !rl.b) continue;
    const path = `links[${rl.index}].mtu`;
    const carrier = [rl.a, rl.b].find((i) => v6(i.addresses));
    if (carrier) {
      report(ctx, 'error', rl.link.id, path, `mtu ${mtu} is below ${IPV6_MIN_MTU}, the smallest MTU IPv6 works with, and ${describeIface(carrier)} has the IPv6 address ${v6(carrier.addresses)!.text}; set mtu to ${IPV6_MIN_MTU} or more, or remove the IPv6 address`);
      continue;
    }
    const bridge = [rl.a, rl.b].map((i) => r.bridges.find((b) => b.name === i.master)).find((b) => b && v6(b.addresses));
    if (bridge) {
      report(ctx, 'error', rl.link.id, path, `mtu ${mtu} is below ${IPV6_MIN_MTU}, and the bridge ${bridge.name} takes the smallest MTU of its ports, which turns off its IPv6 address ${v6(bridge.addresses)!.text}; set mtu to ${IPV6_MIN_MTU} or more, or remove the IPv6 address`);
    }
  }
  for (const b of r.bridges) {
    const address = v6(b.addresses);
    if (b.mtu === undefined || b.mtu >= IPV6_MIN_MTU || !address) continue;
    report(ctx, 'error', b.element, `${b.path}.mtu`, `mtu ${b.mtu} is below ${IPV6_MIN_MTU}, the smallest MTU IPv6 works with, and the bridge has the IPv6 address ${address.text}; set mtu to ${IPV6_MIN_MTU} or more, or remove the IPv6 address`);
  }
}

/**
 * The first subnet of each segment, looked up by overlap: an earlier subnet that equals,
 * contains or lies inside a new one. Keys exist only for the prefix lengths the lab uses, so a
 * lab of thousands of segments stays linear.
 */
class SubnetIndex {
  /** `family/prefix/network` of each subnet. */
  private readonly exact = new Map<string, { subnet: Cidr; segment: Segment }>();
  /** The same key at every shorter prefix length in use: a subnet inside that shorter one. */
  private readonly inside = new Map<string, { subnet: Cidr; segment: Segment }>();
  private readonly lengths: Record<Family, number[]>;

  constructor(all: readonly Cidr[]) {
    const lengths = (f: Family) => [...new Set(all.filter((c) => c.family === f).map((c) => c.prefix))].sort((x, y) => y - x);
    this.lengths = { 4: lengths(4), 6: lengths(6) };
  }

  private key(c: Cidr, prefix: number): string {
    return `${c.family}/${prefix}/${c.value & prefixMask(c.family, prefix)}`;
  }

  /** An earlier subnet overlapping `c`: the identical one first, then the smallest containing one, then one inside. */
  find(c: Cidr): { subnet: Cidr; segment: Segment } | undefined {
    for (const prefix of this.lengths[c.family]) {
      if (prefix > c.prefix) continue;
      const hit = this.exact.get(this.key(c, prefix));
      if (hit && overlaps(hit.subnet, c)) return hit;
    }
    return this.inside.get(this.key(c, c.prefix));
  }

  add(c: Cidr, segment: Segment): void {
    const entry = { subnet: c, segment };
    if (!this.exact.has(this.key(c, c.prefix))) this.exact.set(this.key(c, c.prefix), entry);
    for (const prefix of this.lengths[c.family]) {
      if (prefix >= c.prefix) continue;
      if (!this.inside.has(this.key(c, prefix))) this.inside.set(this.key(c, prefix), entry);
    }
  }
}
