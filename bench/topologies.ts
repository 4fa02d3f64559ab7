/**
 * Generated topologies for the benchmark: N namespaces on bridges of up to 200, each bridge
 * with a host address that is the namespaces' default gateway, and NAT out of the host's uplink.
 */
import type { TopologyInput } from '../src/shared/model/topology.js';

const PER_BRIDGE = 200;

/** A valid lab with `count` namespaces, `perBridge` (at most 253) on each bridge. */
export function bridgedLab(count: number, perBridge = PER_BRIDGE): TopologyInput {
  const bridges = Math.ceil(count / perBridge);
  const subnet = (b: number) => `10.${b >> 8}.${b & 255}`;
  const nodes: NonNullable<TopologyInput['nodes']> = [
    { id: 'internet', kind: 'internet', target: '203.0.113.1' },
    { id: 'host', kind: 'host', uplink: 'eth0' },
  ];
  const links: NonNullable<TopologyInput['links']> = [{ id: 'uplink', a: { node: 'host' }, b: { node: 'internet' } }];
  for (let b = 0; b < bridges; b++) nodes.push({ id: `br${b}`, kind: 'bridge', addresses: [`${subnet(b)}.254/24`] });
  for (let i = 0; i < count; i++) {
    const b = Math.floor(i / perBridge);
    nodes.push({ id: `ns${i}`, kind: 'namespace', routes: [{ to: 'default', via: `${subnet(b)}.254` }], dns: ['1.1.1.1'] });
    links.push({ id: `l${i}`, a: { node: `ns${i}`, addresses: [`${subnet(b)}.${(i % perBridge) + 1}/24`] }, b: { node: `br${b}` } });
  }
  return { version: 1, name: 'bench', nodes, links, nat: { masquerade: [{ id: 'masq', source: '10.0.0.0/8' }], portForwards: [] } };
}
