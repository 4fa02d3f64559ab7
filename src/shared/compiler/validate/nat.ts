/**
 * NAT: it needs the host's uplink; masquerade matches a lab subnet out of the uplink; port
 * forwards use each host port once, aim at a namespace address, and need the target's default
 * route for replies; namespaces that reach the outside through the host get DNS advice.
 */
import { formatIp, ipKey, overlaps, parseCidr, parseIp, subnetText, type Cidr, type Family } from '../../model/net.js';
import type { Iface } from '../../model/resolve.js';
import { isDefaultRouteOf } from '../../model/routes.js';
import { report, type Context } from './context.js';
import { SUGGESTED_DNS } from '../problems.js';

/** An address on the interface's segment that lives in the host, of the given family. */
function hostAddressNear(ctx: Context, i: Iface, family: Family): Cidr | undefined {
  const members = ctx.segments.get(i.segment)?.members ?? [];
  return members.filter((m) => m.netns === null).flatMap((m) => m.addresses).find((c) => c.family === family);
}

/** Reports NAT rules that cannot work. */
export function checkNat(ctx: Context): void {
  const { r } = ctx;
  const { masquerade, portForwards } = r.doc.nat;
  const rules: [string, string][] = [...masquerade.map((m, i) => [m.id, `nat.masquerade[${i}]`] as [string, string]), ...portForwards.map((p, i) => [p.id, `nat.portForwards[${i}]`] as [string, string])];
  const uplinkMissing =
    r.hostId === undefined ? 'NAT needs an uplink: add a Host node and connect it to an Internet node' : r.internetId === undefined ? `NAT needs an uplink: connect the Host node ${r.hostId} to an Internet node` : undefined;
  if (uplinkMissing) for (const [id, path] of rules) report(ctx, 'error', id, path, uplinkMissing);

  // Only masquerade rules read the lab's subnets.
  const subnets = masquerade.length > 0 ? [...ctx.segmentSubnets.values()].flat() : [];
  masquerade.forEach((m, i) => {
    const base = `nat.masquerade[${i}]`;
    if (m.out !== undefined && r.uplink !== undefined && m.out !== r.uplink) {
      report(ctx, 'warning', m.id, `${base}.out`, `out "${m.out}" is not the host's uplink ${r.uplink}, so this traffic is not masqueraded where it leaves; leave "out" out or set it to ${r.uplink}`);
    }
    const source = parseCidr(m.source)!;
    if (!subnets.some((s) => overlaps(s, source))) {
      const list = subnets.length > 0 ? ` (${subnets.map((s) => subnetText(s)).join(', ')})` : '';
      report(ctx, 'warning', m.id, `${base}.source`, `source ${m.source} matches no subnet in the lab${list}; masquerade the subnet of the namespaces that need the outside`);
    }
  });

  const forwarded = new Map<string, string>();
  portForwards.forEach((p, i) => {
    const base = `nat.portForwards[${i}]`;
    const key = `${p.proto}:${p.hostPort}`;
    const first = forwarded.get(key);
    if (first) report(ctx, 'error', p.id, `${base}.hostPort`, `${p.proto} port ${p.hostPort} is already forwarded by ${first}; pick another host port`);
    else forwarded.set(key, p.id);
    const ip = parseIp(p.to)!;
    const owner = ctx.owners.get(ipKey(ip.family, ip.value));
    if (!owner || owner.netns === null) {
      const example = r.ifaces.find((i) => i.netns !== null && i.addresses.length > 0)?.addresses[0];
      const hint = example ? ` such as ${formatIp(example.family, example.value)}` : '';
      report(ctx, 'error', p.id, `${base}.to`, `${p.to} is not the address of any namespace; forward to a namespace address${hint}`);
      return;
    }
    const target = r.nodes.get(owner.node);
    const hasDefault = target?.kind === 'namespace' && target.routes.some((route) => isDefaultRouteOf(route.to, ip.family));
    if (!hasDefault) {
      const gw = hostAddressNear(ctx, owner, ip.family);
      const via = gw ? ` via ${formatIp(gw.family, gw.value)}` : ' via the host';
      report(ctx, 'warning', p.id, `${base}.to`, `${owner.netns} has no default route, so replies to outside clients cannot return; add a default route in ${owner.netns}${via}`);
    }
  });

  // Without an uplink there is no outside to resolve names on, so no DNS advice.
  if (r.internetId === undefined) return;
  // forEach, not for...of over entries: that makes a pair and a result object per namespace until optimized.
  ctx.defaultGateways.forEach((gateway, id) => {
    const node = r.nodes.get(id);
    if (node?.kind !== 'namespace' || gateway.netns !== null || node.dns.length > 0) return;
    const ns = r.netnsOf.get(id) ?? id;
    report(ctx, 'warning', id, `nodes[${ctx.nodeIndex.get(id)}].dns`, `${ns} reaches the outside through the host but has no "dns"; the host's resolver stub 127.0.0.53 is unreachable inside a namespace, so add dns: ["${SUGGESTED_DNS}"]`, {
      label: `add ${SUGGESTED_DNS}`,
      command: { type: 'updateNode', id, patch: { dns: [SUGGESTED_DNS] } },
    });
  });
}
