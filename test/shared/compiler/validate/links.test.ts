import { describe, expect, it } from 'vitest';
import { validate } from '../../../../src/shared/compiler/validate/index.js';
import { bridgedLab } from '../../../support/scale-lab.js';
import { table } from './cases.js';

describe('links', () => {
  describe('checks links', () => {
    table([
      { name: 'a link to a missing node', patch: { 'links[3]': { id: 'ghost', a: { node: 'red' }, b: { node: 'nobody' } } }, problems: [['error', 'ghost', 'links[3].b.node', 'node "nobody" does not exist']] },
      { name: 'a node linked to itself', patch: { 'links[3]': { id: 'self', a: { node: 'red' }, b: { node: 'red' } } }, problems: [['error', 'self', 'links[3].b.node', 'connects red to itself']] },
      { name: 'the internet linked to a namespace', patch: { 'links[3]': { id: 'bad', a: { node: 'internet' }, b: { node: 'red' } } }, problems: [['error', 'bad', 'links[3].b.node', 'the Internet node can only be linked to the Host node, not to namespace red']] },
      { name: 'a second uplink link', patch: { 'links[3]': { id: 'up2', a: { node: 'internet' }, b: { node: 'host' } } }, problems: [['error', 'up2', 'links[3]', 'the host is already linked to the Internet by links[0]']] },
      { name: 'addresses on the uplink link', patch: { 'links[0].a.addresses': ['198.51.100.2/24'] }, problems: [['error', 'uplink', 'links[0].a.addresses', 'a link to the Internet node takes no addresses']] },
      { name: 'an ifname on the uplink link', patch: { 'links[0].a.ifname': 'eth1' }, problems: [['error', 'uplink', 'links[0].a.ifname', 'set the uplink interface in the Host node\'s "uplink" field']] },
      {
        name: 'a link between two hosts',
        patch: { 'nodes[5]': { id: 'host2', kind: 'host' }, 'links[3]': { id: 'hh', a: { node: 'host' }, b: { node: 'host2' } } },
        problems: [
          ['error', 'hh', 'links[3]', 'a link cannot join two Host nodes'],
          ['error', 'host2', 'nodes[5].kind', 'only one Host node is allowed'],
        ],
      },
      { name: 'an address on a bridge port', patch: { 'links[1].b.addresses': ['192.168.15.9/24'] }, problems: [['error', 'red-vnet0', 'links[1].b.addresses', 'put 192.168.15.9/24 on the bridge node vnet0 (its "addresses") instead']] },
      {
        name: 'two links between the same bridges',
        patch: { 'nodes[5]': { id: 'vnet1', kind: 'bridge' }, 'links[3]': { id: 'br1', a: { node: 'vnet0' }, b: { node: 'vnet1' } }, 'links[4]': { id: 'br2', a: { node: 'vnet1' }, b: { node: 'vnet0' } } },
        problems: [['warning', 'br2', 'links[4]', 'bridges vnet1 and vnet0 are already connected, so this link makes a loop']],
      },
      {
        name: 'a triangle of bridges',
        patch: {
          'nodes[5]': { id: 'vnet1', kind: 'bridge' },
          'nodes[6]': { id: 'vnet2', kind: 'bridge' },
          'links[3]': { id: 'br01', a: { node: 'vnet0' }, b: { node: 'vnet1' } },
          'links[4]': { id: 'br12', a: { node: 'vnet1' }, b: { node: 'vnet2' } },
          'links[5]': { id: 'br20', a: { node: 'vnet2' }, b: { node: 'vnet0' } },
        },
        problems: [['warning', 'br20', 'links[5]', 'makes a loop']],
      },
      {
        name: 'nothing for every allowed pairing (namespace-host, host-bridge, bridge-bridge, namespace-namespace)',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'nodes[6]': { id: 'vnet1', kind: 'bridge' },
          'links[3]': { id: 'host-green', a: { node: 'host', addresses: ['10.1.0.1/30'] }, b: { node: 'green', addresses: ['10.1.0.2/30'] } },
          'links[4]': { id: 'host-vnet1', a: { node: 'host', addresses: ['192.168.15.6/24'] }, b: { node: 'vnet1' } },
          'links[5]': { id: 'vnet0-vnet1', a: { node: 'vnet0' }, b: { node: 'vnet1' } },
          'links[6]': { id: 'red-green', a: { node: 'red', addresses: ['10.3.0.1/30'] }, b: { node: 'green', addresses: ['10.3.0.2/30'] } },
        },
        problems: [],
      },
    ]);
  });
  it('refuses a bridge with more ports than a Linux bridge takes (1023), naming it and the fix', () => {
    const full = validate(bridgedLab(1023));
    expect(full.ok).toBe(true);
    const over = validate(bridgedLab(1024));
    expect(over.ok).toBe(false);
    if (over.ok) return;
    expect(over.problems.map((p) => [p.severity, p.element, p.path, p.message])).toEqual([
      ['error', 'vnet0', 'nodes[0]', 'bridge vnet0 has 1024 links, and a Linux bridge takes at most 1023 ports; spread them over several bridges (joined by a link between bridges, or each with its own subnet)'],
    ]);
  });
});
