import { describe, expect, it } from 'vitest';
import { addressOwners, resolve } from '../../../src/shared/model/resolve.js';
import { isDefaultRoute, isDefaultRouteOf, judgeRoute, routeFamily, routeWorks, type RouteLike } from '../../../src/shared/model/routes.js';
import { TopologyDocument } from '../../../src/shared/model/topology.js';

/** red - router - blue on two veth cables, and a host on the router, with an uplink. */
const LAB = TopologyDocument.parse({
  version: 1,
  name: 'routes',
  nodes: [
    { id: 'red', kind: 'namespace' },
    { id: 'router', kind: 'namespace', router: true },
    { id: 'blue', kind: 'namespace' },
    { id: 'host', kind: 'host', uplink: 'eth0' },
    { id: 'internet', kind: 'internet' },
  ],
  links: [
    { id: 'red-router', a: { node: 'red', ifname: 'veth-red', addresses: ['10.0.1.2/24'] }, b: { node: 'router', addresses: ['10.0.1.1/24'] } },
    { id: 'router-blue', a: { node: 'router', addresses: ['10.0.2.1/24'] }, b: { node: 'blue', addresses: ['10.0.2.2/24'] } },
    { id: 'host-router', a: { node: 'host', addresses: ['10.0.3.5/24'] }, b: { node: 'router', addresses: ['10.0.3.1/24'] } },
    { id: 'uplink', a: { node: 'host' }, b: { node: 'internet' } },
  ],
});
const r = resolve(LAB);
const owners = addressOwners(r);
const judge = (node: string, route: RouteLike) => judgeRoute(r, node, route, owners);

describe('routes', () => {
  it.each([
    ['default', true, 4],
    ['default6', true, 6],
    ['0.0.0.0/0', true, 4],
    ['::/0', true, 6],
    ['10.0.0.0/8', false, 4],
    ['fd00::/64', false, 6],
  ] as const)('%s: default %s, IPv%i', (to, isDefault, family) => {
    expect(isDefaultRoute(to)).toBe(isDefault);
    expect(routeFamily(to)).toBe(family);
    expect(isDefaultRouteOf(to, family)).toBe(isDefault);
    expect(isDefaultRouteOf(to, family === 4 ? 6 : 4)).toBe(false);
  });

  it('judges a gateway owned by another node on a connected segment as a gateway, and the route works', () => {
    const v = judge('red', { to: 'default', via: '10.0.1.1' });
    expect(v.kind === 'gateway' && [v.connected.name, v.owner.node]).toEqual(['veth-red', 'router']);
    expect(routeWorks(r, 'red', v)).toBe(true);
  });

  it.each<[string, string, RouteLike, string, boolean]>([
    ['an unknown dev', 'red', { to: '10.9.0.0/16', dev: 'eth9' }, 'unknown-dev', false],
    ['no gateway', 'red', { to: '10.9.0.0/16', dev: 'veth-red' }, 'direct', true],
    ['the host\'s uplink', 'host', { to: 'default', via: '198.51.100.1', dev: 'eth0' }, 'direct', true],
    ['an IPv6 gateway for an IPv4 destination', 'red', { to: 'default', via: 'fd00::1' }, 'family-mismatch', false],
    ['a gateway on no connected subnet', 'red', { to: 'default', via: '10.0.2.1' }, 'off-subnet', false],
    ['a host gateway off the lab, maybe on the uplink network', 'host', { to: '10.8.0.0/16', via: '198.51.100.1' }, 'off-subnet', true],
    ['its own address', 'red', { to: 'default', via: '10.0.1.2' }, 'own-address', false],
    ['an address nobody owns', 'red', { to: 'default', via: '10.0.1.9' }, 'unowned', false],
  ])('judges %s', (_name, node, route, kind, works) => {
    const v = judge(node, route);
    expect(v.kind).toBe(kind);
    expect(routeWorks(r, node, v)).toBe(works);
  });
});
