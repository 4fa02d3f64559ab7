/**
 * The lab that `/work/shared/bench/bridged-lab.js N` prints, for the lab tests at scale: N
 * namespaces ns1..nsN on bridge vnet0 (10.0.0.1/16), each with a default route through it.
 */
import type { TopologyInput } from '../../src/shared/model/topology.js';

/** N namespaces on one bridge; interfaces vI (in nsI) and vI-br (on vnet0). */
export function bridgedLab(n: number): TopologyInput {
  const address = (i: number) => `10.0.${(i + 1) >> 8}.${(i + 1) & 255}/16`;
  const nodes: NonNullable<TopologyInput['nodes']> = [{ id: 'vnet0', kind: 'bridge', addresses: ['10.0.0.1/16'] }];
  const links: NonNullable<TopologyInput['links']> = [];
  for (let i = 1; i <= n; i++) {
    nodes.push({ id: `ns${i}`, kind: 'namespace', routes: [{ to: 'default', via: '10.0.0.1' }] });
    links.push({ id: `l${i}`, a: { node: `ns${i}`, ifname: `v${i}`, addresses: [address(i)] }, b: { node: 'vnet0', ifname: `v${i}-br` } });
  }
  return { version: 1, name: 'scale', nodes, links };
}
