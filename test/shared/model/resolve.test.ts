import { describe, expect, it } from 'vitest';
import { TopologyDocument, type TopologyInput } from '../../../src/shared/model/topology.js';
import { addressOwners, byteLength, fitIfName, hasAddress, resolve, segmentSubnets } from '../../../src/shared/model/resolve.js';
import { loadExample } from '../../support/examples.js';

function resolved(input: TopologyInput) {
  return resolve(TopologyDocument.parse(input));
}

const ns = (id: string) => ({ id, kind: 'namespace' as const });

describe('resolve', () => {
  it('names generated ends in the tutorial style: veth-red in red, veth-red-br on the bridge', () => {
    const r = resolve(TopologyDocument.parse(loadExample('02-bridge')));
    const names = r.ifaces.map((i) => `${i.netns ?? 'host'}:${i.name}`);
    expect(names).toEqual(['host:vnet0', 'red:veth-red', 'host:veth-red-br', 'blue:veth-blue', 'host:veth-blue-br', 'green:veth-green', 'host:veth-green-br']);
  });

  it('keeps generated names unique in a namespace with several links', () => {
    const r = resolved({
      version: 1,
      name: 't',
      nodes: [ns('red'), ns('blue'), ns('green')],
      links: [
        { id: 'l1', a: { node: 'red' }, b: { node: 'blue' } },
        { id: 'l2', a: { node: 'red' }, b: { node: 'green' } },
      ],
    });
    const inRed = r.ifaces.filter((i) => i.netns === 'red').map((i) => i.name);
    expect(inRed).toEqual(['veth-red', 'veth-red-green']);
  });

  it('never takes a name the user wrote for another interface', () => {
    const r = resolved({
      version: 1,
      name: 't',
      nodes: [ns('red'), ns('blue'), ns('green')],
      links: [
        { id: 'l1', a: { node: 'red' }, b: { node: 'blue' } },
        { id: 'l2', a: { node: 'red', ifname: 'veth-red' }, b: { node: 'green' } },
      ],
    });
    expect(r.ifaces.filter((i) => i.netns === 'red').map((i) => i.name).sort()).toEqual(['veth-red', 'veth-red-blue']);
  });

  it('fits long generated names into 15 bytes, distinctly', () => {
    const a = fitIfName('veth-verylongnamespace-br');
    const b = fitIfName('veth-verylongnamespace-bz');
    expect(byteLength(a)).toBeLessThanOrEqual(15);
    expect(a).not.toBe(b);
    expect(fitIfName('veth-red')).toBe('veth-red');
    const r = resolved({
      version: 1,
      name: 't',
      nodes: [{ id: 'br0', kind: 'bridge' }, ns('a-rather-long-namespace-name')],
      links: [{ id: 'l', a: { node: 'a-rather-long-namespace-name' }, b: { node: 'br0' } }],
    });
    for (const i of r.ifaces) expect(byteLength(i.name)).toBeLessThanOrEqual(15);
  });

  it('puts a bridge, its ports and bridges joined to it on one segment', () => {
    const r = resolved({
      version: 1,
      name: 't',
      nodes: [{ id: 'br0', kind: 'bridge' }, { id: 'br1', kind: 'bridge' }, ns('red'), ns('blue'), ns('x'), ns('y')],
      links: [
        { id: 'l1', a: { node: 'red', addresses: ['10.0.0.1/24'] }, b: { node: 'br0' } },
        { id: 'l2', a: { node: 'br0' }, b: { node: 'br1' } },
        { id: 'l3', a: { node: 'blue', addresses: ['10.0.0.2/24'] }, b: { node: 'br1' } },
        { id: 'l4', a: { node: 'x' }, b: { node: 'y' } },
      ],
    });
    const seg = (key: string) => r.ifaces.find((i) => i.key === key)!.segment;
    expect(seg('l1.a')).toBe(seg('l3.a'));
    expect(seg('br0')).toBe(seg('br1'));
    expect(seg('l4.a')).toBe(seg('l4.b'));
    expect(seg('l4.a')).not.toBe(seg('l1.a'));
    expect(r.segments.find((s) => s.id === seg('l1.a'))!.label).toBe('br0+br1');
  });

  it('files bridges and host veth ends under the host node, and finds the uplink', () => {
    const r = resolve(TopologyDocument.parse(loadExample('04-nat')));
    expect(r.hostId).toBe('host');
    expect(r.internetId).toBe('internet');
    expect(r.l3ByNode.get('host')!.map((i) => i.name)).toEqual(['vnet0']);
    expect(r.links.find((l) => l.link.id === 'host-internet')!.kind).toBe('uplink');
  });
});

describe('resolve (generated names across namespaces)', () => {
  it('does not generate a namespace-side name that a host interface already has', () => {
    const r = resolved({
      version: 1,
      name: 't',
      nodes: [{ id: 'veth-red', kind: 'bridge' }, ns('red'), ns('blue')],
      links: [{ id: 'l1', a: { node: 'red' }, b: { node: 'blue' } }],
    });
    expect(r.ifaces.find((i) => i.key === 'l1.a')!.name).toBe('veth-red-blue');
  });
});

describe('resolve (address facts)', () => {
  const doc = TopologyDocument.parse({
    version: 1,
    name: 'facts',
    nodes: [
      { id: 'vnet0', kind: 'bridge', addresses: ['192.168.15.5/24'] },
      { id: 'red', kind: 'namespace' },
      { id: 'blue', kind: 'namespace' },
      { id: 'lonely', kind: 'namespace' },
      { id: 'empty', kind: 'bridge' },
      { id: 'internet', kind: 'internet', target: '203.0.113.1' },
    ],
    links: [
      { id: 'red-vnet0', a: { node: 'red', addresses: ['192.168.15.1/24', 'fd00:15::1/64'] }, b: { node: 'vnet0' } },
      { id: 'blue-vnet0', a: { node: 'blue', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0' } },
    ],
  });
  const r = resolve(doc);

  it('holds each segment to the first address of each family on it', () => {
    const segment = r.segments.find((s) => s.bridges.includes('vnet0'))!;
    expect(segmentSubnets(segment.members).map((c) => c.text)).toEqual(['192.168.15.5/24', 'fd00:15::1/64']);
  });

  it('gives an address to the first interface in segment order; a later one with it is the duplicate', () => {
    const owners = addressOwners(r);
    expect(owners.get('4:3232239361')?.key).toBe('red-vnet0.a');
    expect(owners.get('4:3232239365')?.key).toBe('vnet0');
  });

  it('knows which nodes a probe can aim at', () => {
    expect(['vnet0', 'red', 'lonely', 'empty', 'internet'].map((id) => hasAddress(r, r.nodes.get(id)!))).toEqual([true, true, false, false, true]);
  });
});

