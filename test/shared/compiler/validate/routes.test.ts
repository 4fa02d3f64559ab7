import { describe } from 'vitest';
import { PAIR, patched, table } from './cases.js';

describe('routes', () => {
  describe('checks routes', () => {
    table([
      { name: 'a gateway on no connected subnet', patch: { 'nodes[3].routes[0].via': '10.0.0.1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'gateway 10.0.0.1 is not on any connected subnet of red (192.168.15.0/24)']] },
      { name: 'a dev the node does not have', patch: { 'nodes[3].routes[1]': { to: '10.0.0.0/8', dev: 'eth9' } }, problems: [['error', 'red', 'nodes[3].routes[1].dev', 'red has no interface "eth9"; use one of veth-red']] },
      { name: 'nothing for a dev route on an own interface', patch: { 'nodes[3].routes[1]': { to: '10.0.0.0/8', dev: 'veth-red' } }, problems: [] },
      { name: 'a duplicate destination', patch: { 'nodes[3].routes[1]': { to: 'default', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'red already has a route to default (routes[0])']] },
      { name: 'a duplicate default written as 0.0.0.0/0', patch: { 'nodes[3].routes[1]': { to: '0.0.0.0/0', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'red already has a route to 0.0.0.0/0 (routes[0])']] },
      { name: 'nothing for the same destination with another metric', patch: { 'nodes[3].routes[1]': { to: 'default', via: '192.168.15.5', metric: 200 } }, problems: [] },
      { name: 'an IPv6 gateway for default', patch: { 'nodes[3].routes[0].via': 'fd00::1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'gateway fd00::1 is IPv6 but the destination default is IPv4; use "default6"']] },
      { name: 'an IPv4 gateway for an IPv6 subnet', patch: { 'nodes[3].routes[1]': { to: 'fd00:1::/64', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].via', 'use an IPv6 gateway']] },
      { name: 'a destination with host bits', patch: { 'nodes[3].routes[1]': { to: '10.0.0.1/8', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'write the subnet 10.0.0.0/8']] },
      {
        name: 'a default gateway nobody owns on a bridge',
        patch: { 'nodes[2].addresses': [] },
        problems: [
          ['error', 'red', 'nodes[3].routes[0].via', 'gateway 192.168.15.5 is not the address of anything on segment vnet0, so red has no way out; give the bridge vnet0 the address 192.168.15.5/24'],
          ['error', 'blue', 'nodes[4].routes[0].via', 'so blue has no way out; give the bridge vnet0 the address 192.168.15.5/24'],
        ],
      },
      {
        name: 'a default gateway nobody owns on a cable',
        input: patched(PAIR, { 'nodes[0].routes': [{ to: 'default', via: '10.0.0.9' }] }),
        problems: [['error', 'red', 'nodes[0].routes[0].via', 'so red has no way out; give veth-blue on blue the address 10.0.0.9/24']],
      },
      { name: 'its own address as gateway', patch: { 'nodes[3].routes[0].via': '192.168.15.1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', "gateway 192.168.15.1 is red's own address"]] },
      { name: 'a gateway that does not forward', patch: { 'nodes[3].routes[0].via': '192.168.15.2' }, problems: [['warning', 'red', 'nodes[3].routes[0].via', 'gateway 192.168.15.2 belongs to blue, which does not forward packets; mark blue as a router ("router": true)']] },
      { name: 'a gateway with forwarding switched off', patch: { 'nodes[3].routes[0].via': '192.168.15.2', 'nodes[4].router': true, 'nodes[4].forwarding': false }, problems: [['warning', 'red', 'nodes[3].routes[0].via', 'remove "forwarding": false from blue']] },
      { name: 'nothing for a gateway that is a router', patch: { 'nodes[3].routes[0].via': '192.168.15.2', 'nodes[4].router': true }, problems: [] },
      { name: 'a host route via an unknown network', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '172.16.0.1' }] }, problems: [['warning', 'host', 'nodes[1].routes[0].via', 'if it is on the network of the uplink eth0, add "dev": "eth0"']] },
      { name: 'nothing for a host route through the uplink', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '172.16.0.1', dev: 'eth0' }] }, problems: [] },
      { name: 'nothing for a host route through a namespace router', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '192.168.15.2' }], 'nodes[4].router': true }, problems: [] },
    ]);
  });
});
