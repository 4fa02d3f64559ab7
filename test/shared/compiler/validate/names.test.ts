import { describe } from 'vitest';
import { table } from './cases.js';

describe('names', () => {
  describe('reports namespace and bridge name clashes', () => {
    table([
      {
        name: 'two namespaces with one name',
        patch: { 'nodes[4].name': 'red' },
        problems: [['error', 'blue', 'nodes[4].name', 'namespace name "red" is already used by node red']],
      },
      { name: 'two bridges with one name', patch: { 'nodes[5]': { id: 'vnet1', kind: 'bridge', name: 'vnet0' } }, problems: [['error', 'vnet1', 'nodes[5].name', 'bridge name "vnet0" is already used by the bridge vnet0']] },
      { name: 'a bridge named like the uplink', patch: { 'nodes[2].id': 'eth0', 'links[1].b.node': 'eth0', 'links[2].b.node': 'eth0' }, problems: [['error', 'eth0', 'nodes[2].id', `bridge name "eth0" is already used by the host's uplink`]] },
    ]);
  });

  describe('reports interface name clashes', () => {
    table([
      {
        name: 'two interfaces with one name in a namespace',
        patch: {
          'links[1].a.ifname': 'e0',
          'links[3]': { id: 'red-blue', a: { node: 'red', ifname: 'e0', addresses: ['10.0.0.1/30'] }, b: { node: 'blue', addresses: ['10.0.0.2/30'] } },
        },
        problems: [['error', 'red-blue', 'links[3].a.ifname', 'interface name "e0" is already used in namespace red by link red-vnet0']],
      },
      { name: 'a namespace end named like a bridge', patch: { 'links[1].a.ifname': 'vnet0' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "vnet0" is also used by the bridge vnet0 in the host\'s root namespace']] },
      {
        // The generator steps around names the host already uses, so there is nothing to report.
        name: 'nothing when a bridge takes the name a namespace end would get',
        patch: { 'nodes[2].name': 'veth-red' },
        problems: [],
      },
      {
        name: 'a host end named like a bridge',
        patch: { 'links[3]': { id: 'host-red', a: { node: 'host', ifname: 'vnet0', addresses: ['10.0.0.1/30'] }, b: { node: 'red', addresses: ['10.0.0.2/30'] } } },
        problems: [['error', 'host-red', 'links[3].a.ifname', 'interface name "vnet0" is already used by the bridge vnet0 in the host\'s root namespace']],
      },
      { name: 'a bridge port named like the uplink', patch: { 'links[1].b.ifname': 'eth0' }, problems: [['error', 'red-vnet0', 'links[1].b.ifname', `interface name "eth0" is already used by the host's uplink`]] },
      { name: 'the loopback name', patch: { 'links[1].a.ifname': 'lo' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "lo" is reserved by the kernel']] },
      { name: 'a bridge called all', patch: { 'nodes[2].name': 'all' }, problems: [['error', 'vnet0', 'nodes[2].name', 'bridge name "all" is reserved by the kernel']] },
    ]);
  });

  describe('refuses names the ip command reads as keywords', () => {
    table([
      { name: 'a bridge named up', patch: { 'nodes[2].name': 'up' }, problems: [['error', 'vnet0', 'nodes[2].name', 'bridge name "up" is read by the ip command as its keyword "up", so lab.sh could not create or configure it; pick another name']] },
      {
        name: 'a bridge whose id is its name',
        patch: { 'nodes[2].id': 'type', 'links[1].b.node': 'type', 'links[2].b.node': 'type' },
        problems: [['error', 'type', 'nodes[2].id', 'bridge name "type" is read by the ip command as its keyword "type"']],
      },
      { name: 'an abbreviated keyword', patch: { 'links[1].a.ifname': 'br' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "br" is read by the ip command as "broadcast" (ip accepts keywords abbreviated)']] },
      { name: 'a bridge port named master', patch: { 'links[1].b.ifname': 'master' }, problems: [['error', 'red-vnet0', 'links[1].b.ifname', 'interface name "master" is read by the ip command as its keyword "master"']] },
      { name: 'a namespace end named dev', patch: { 'links[2].a.ifname': 'dev' }, problems: [['error', 'blue-vnet0', 'links[2].a.ifname', 'interface name "dev" is read by the ip command as its keyword "dev"']] },
      { name: 'nothing for names that only start like a keyword', patch: { 'links[1].a.ifname': 'uplink0', 'links[2].a.ifname': 'bridge', 'nodes[2].name': 'mtu9000' }, problems: [] },
      { name: 'nothing for a namespace named like a keyword', patch: { 'nodes[3].name': 'up' }, problems: [] },
    ]);
  });
});