import { describe } from 'vitest';
import { table } from './cases.js';

describe('addresses', () => {
  describe('checks addresses', () => {
    table([
      { name: 'a network address', patch: { 'links[1].a.addresses[0]': '192.168.15.0/24' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address 192.168.15.0/24 is the network address of 192.168.15.0/24']] },
      { name: 'a broadcast address', patch: { 'links[1].a.addresses[0]': '192.168.15.255/24' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address 192.168.15.255/24 is the broadcast address of 192.168.15.0/24']] },
      {
        name: 'an address used twice',
        patch: { 'links[1].a.addresses[0]': '192.168.15.2/24' },
        problems: [['error', 'blue-vnet0', 'links[2].a.addresses[0]', 'address 192.168.15.2/24 is already used by veth-red on red; pick another address in 192.168.15.0/24']],
      },
      {
        name: 'an address used twice with another prefix',
        patch: { 'links[3]': { id: 'red-blue', a: { node: 'red', addresses: ['192.168.15.6/30'] }, b: { node: 'blue', addresses: ['192.168.15.5/30'] } } },
        problems: [
          ['error', 'red-blue', 'links[3].b.addresses[0]', 'address 192.168.15.5/30 is already used by the bridge vnet0'],
          ['warning', 'red-blue', 'links[3].a.addresses[0]', 'subnet 192.168.15.4/30 overlaps 192.168.15.0/24 on segment vnet0'],
        ],
      },
      {
        name: 'an address outside the segment subnet',
        patch: { 'nodes[5]': { id: 'green', kind: 'namespace' }, 'links[3]': { id: 'green-vnet0', a: { node: 'green', addresses: ['10.0.0.3/24'] }, b: { node: 'vnet0' } } },
        problems: [['error', 'green-vnet0', 'links[3].a.addresses[0]', 'address 10.0.0.3/24 is not in 192.168.15.0/24, the subnet of segment vnet0']],
      },
      {
        name: 'one subnet on two segments',
        patch: { 'nodes[5]': { id: 'green', kind: 'namespace' }, 'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['192.168.15.10/24'] }, b: { node: 'green', addresses: ['192.168.15.11/24'] } } },
        problems: [['warning', 'red-green', 'links[3].a.addresses[0]', 'subnet 192.168.15.0/24 is also used on segment vnet0']],
      },
      {
        name: 'a mismatch on a long chain of bridges, with a short segment label',
        patch: Object.fromEntries([
          ...[1, 2, 3, 4].map((i) => [`nodes[${4 + i}]`, { id: `b${i}`, kind: 'bridge' }]),
          ...[1, 2, 3, 4].map((i) => [`links[${2 + i}]`, { id: `bb${i}`, a: { node: i === 1 ? 'vnet0' : `b${i - 1}` }, b: { node: `b${i}` } }]),
          ['links[7]', { id: 'host-b4', a: { node: 'host', addresses: ['10.0.0.1/24'] }, b: { node: 'b4' } }],
        ]),
        problems: [['error', 'host-b4', 'links[7].a.addresses[0]', 'the subnet of segment vnet0+b1+b2+… (5 joined bridges); use an address in 192.168.15.0/24']],
      },
      {
        name: 'a subnet inside an earlier segment\'s subnet',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['10.1.0.1/16'] }, b: { node: 'green', addresses: ['10.1.0.2/16'] } },
          'links[4]': { id: 'blue-green', a: { node: 'blue', addresses: ['10.1.5.1/24'] }, b: { node: 'green', addresses: ['10.1.5.2/24'] } },
        },
        problems: [['warning', 'blue-green', 'links[4].a.addresses[0]', 'subnet 10.1.5.0/24 overlaps 10.1.0.0/16 on segment red-green, so routes to the shared addresses are ambiguous; use a subnet on segment blue-green that does not overlap 10.1.0.0/16']],
      },
      {
        name: 'a subnet containing an earlier segment\'s subnet',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['10.1.5.1/24'] }, b: { node: 'green', addresses: ['10.1.5.2/24'] } },
          'links[4]': { id: 'blue-green', a: { node: 'blue', addresses: ['10.1.0.1/16'] }, b: { node: 'green', addresses: ['10.1.0.2/16'] } },
        },
        problems: [['warning', 'blue-green', 'links[4].a.addresses[0]', 'subnet 10.1.0.0/16 overlaps 10.1.5.0/24 on segment red-green']],
      },
      {
        name: 'overlapping IPv6 subnets',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['fd00:1::1/48'] }, b: { node: 'green', addresses: ['fd00:1::2/48'] } },
          'links[4]': { id: 'blue-green', a: { node: 'blue', addresses: ['fd00:1:0:5::1/64'] }, b: { node: 'green', addresses: ['fd00:1:0:5::2/64'] } },
        },
        problems: [['warning', 'blue-green', 'links[4].a.addresses[0]', 'subnet fd00:1:0:5::/64 overlaps fd00:1::/48 on segment red-green']],
      },
      {
        name: 'nothing for neighbouring subnets',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['10.1.0.1/24'] }, b: { node: 'green', addresses: ['10.1.0.2/24'] } },
          'links[4]': { id: 'blue-green', a: { node: 'blue', addresses: ['10.1.1.1/24'] }, b: { node: 'green', addresses: ['10.1.1.2/24'] } },
        },
        problems: [],
      },
      { name: 'nothing for IPv6 next to IPv4 on one segment', patch: { 'links[1].a.addresses[1]': 'fd00:15::1/64', 'nodes[2].addresses[1]': 'fd00:15::5/64' }, problems: [] },
    ]);
  });

  describe('checks the MTU where IPv6 is configured', () => {
    const v6pair = { 'links[3]': { id: 'red-blue', a: { node: 'red', addresses: ['fd00:1::1/64'] }, b: { node: 'blue', addresses: ['fd00:1::2/64'] }, mtu: 1000 } };
    table([
      {
        name: 'a link below 1280 with an IPv6 address on an end',
        patch: v6pair,
        problems: [['error', 'red-blue', 'links[3].mtu', 'mtu 1000 is below 1280, the smallest MTU IPv6 works with, and veth-red-blue on red has the IPv6 address fd00:1::1/64; set mtu to 1280 or more']],
      },
      { name: 'nothing at 1280', patch: { ...v6pair, 'links[3].mtu': 1280 }, problems: [] },
      { name: 'nothing below 1280 on an IPv4 link', patch: { 'links[1].mtu': 576 }, problems: [] },
      {
        name: 'a bridge below 1280 with an IPv6 address',
        patch: { 'nodes[2].addresses[1]': 'fd00:15::5/64', 'nodes[2].mtu': 1000 },
        problems: [['error', 'vnet0', 'nodes[2].mtu', 'mtu 1000 is below 1280, the smallest MTU IPv6 works with, and the bridge has the IPv6 address fd00:15::5/64']],
      },
      {
        name: 'a bridge port below 1280 when the bridge has an IPv6 address',
        patch: { 'nodes[2].addresses[1]': 'fd00:15::5/64', 'links[1].mtu': 1000 },
        problems: [['error', 'red-vnet0', 'links[1].mtu', 'the bridge vnet0 takes the smallest MTU of its ports, which turns off its IPv6 address fd00:15::5/64; set mtu to 1280 or more']],
      },
    ]);
  });
});