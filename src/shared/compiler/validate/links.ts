/**
 * Links: both ends exist and differ, the Internet only meets the host (once, without names or
 * addresses), no host-to-host cable, bridge ports take no address, and bridges joined in a loop.
 */
import type { Node } from '../../model/topology.js';
import { report, type Context } from './context.js';

/** The most ports a Linux bridge takes: port numbers have 10 bits and 0 is not a port (BR_MAX_PORTS); the next one fails "Exchange full". */
export const BRIDGE_MAX_PORTS = 1023;

/** Reports what is wrong with each link's ends. */
export function checkLinks(ctx: Context): void {
  const { r } = ctx;
  const bridgeParent = new Map<string, string>();
  const findBridge = (id: string): string => {
    let x = id;
    for (let up = bridgeParent.get(x); up !== undefined; up = bridgeParent.get(x)) {
      const grand = bridgeParent.get(up);
      if (grand !== undefined) bridgeParent.set(x, grand);
      x = up;
    }
    return x;
  };
  let uplinkLink: number | undefined;
  const ports = new Map<string, number>();
  r.doc.links.forEach((link, index) => {
    const na = r.nodes.get(link.a.node);
    const nb = r.nodes.get(link.b.node);
    if (na?.kind === 'bridge') ports.set(link.a.node, (ports.get(link.a.node) ?? 0) + 1);
    if (nb?.kind === 'bridge') ports.set(link.b.node, (ports.get(link.b.node) ?? 0) + 1);
    // A namespace linked to a bridge, most of a large lab's links, has nothing to report: no lists, paths or messages for it.
    if (na?.kind === 'namespace' && nb?.kind === 'bridge' && link.b.addresses.length === 0) return;
    if (na?.kind === 'bridge' && nb?.kind === 'namespace' && link.a.addresses.length === 0) return;
    const base = `links[${index}]`;
    const ends = (['a', 'b'] as const).map((side) => ({ side, end: link[side], node: side === 'a' ? na : nb }));
    const missing = ends.filter((e) => !e.node);
    for (const e of missing) report(ctx, 'error', link.id, `${base}.${e.side}.node`, `node "${e.end.node}" does not exist; connect this end to an existing node`);
    if (missing.length > 0) return;
    const [a, b] = ends as [(typeof ends)[0] & { node: Node }, (typeof ends)[0] & { node: Node }];
    if (link.a.node === link.b.node) {
      report(ctx, 'error', link.id, `${base}.b.node`, `this link connects ${link.a.node} to itself; connect the other end to a different node`);
      return;
    }
    const internet = [a, b].find((e) => e.node.kind === 'internet');
    if (internet) {
      const other = internet === a ? b : a;
      if (other.node.kind !== 'host') {
        report(ctx, 'error', link.id, `${base}.${other.side}.node`, `the Internet node can only be linked to the Host node, not to ${other.node.kind} ${other.node.id}; link ${other.node.id} to a bridge or the host instead`);
        return;
      }
      if (uplinkLink !== undefined) report(ctx, 'error', link.id, base, `the host is already linked to the Internet by links[${uplinkLink}]; remove this link`);
      uplinkLink ??= index;
      for (const e of [a, b]) {
        if (e.end.addresses.length > 0) report(ctx, 'error', link.id, `${base}.${e.side}.addresses`, `a link to the Internet node takes no addresses (the host's uplink ${r.uplink ?? ''} already has its own); remove them`);
        if (e.end.ifname !== undefined) {
          const fix = e === internet ? 'the Internet node has no interface, so remove "ifname"' : 'set the uplink interface in the Host node\'s "uplink" field and remove "ifname" here';
          report(ctx, 'error', link.id, `${base}.${e.side}.ifname`, `a link to the Internet node uses the host's uplink; ${fix}`);
        }
      }
      return;
    }
    if (a.node.kind === 'host' && b.node.kind === 'host') {
      report(ctx, 'error', link.id, base, 'a link cannot join two Host nodes: there is only one host; remove this link');
      return;
    }
    for (const e of [a, b]) {
      const first = e.end.addresses[0];
      if (e.node.kind === 'bridge' && first !== undefined) {
        report(ctx, 'error', link.id, `${base}.${e.side}.addresses`, `the bridge side of a link is a bridge port and takes no address; put ${first} on the bridge node ${e.node.id} (its "addresses") instead`);
      }
    }
    if (a.node.kind === 'bridge' && b.node.kind === 'bridge') {
      const [x, y] = [findBridge(a.node.id), findBridge(b.node.id)];
      if (x === y) report(ctx, 'warning', link.id, base, `bridges ${a.node.id} and ${b.node.id} are already connected, so this link makes a loop where frames circle forever; remove it`);
      else bridgeParent.set(x, y);
    }
  });
  for (const [id, count] of ports) {
    if (count <= BRIDGE_MAX_PORTS) continue;
    const at = r.doc.nodes.findIndex((n) => n.id === id);
    report(ctx, 'error', id, `nodes[${at}]`, `bridge ${id} has ${count} links, and a Linux bridge takes at most ${BRIDGE_MAX_PORTS} ports; spread them over several bridges (joined by a link between bridges, or each with its own subnet)`);
  }
}
