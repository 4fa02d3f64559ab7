import { describe, expect, it } from 'vitest';
import { elementIds, lenientDocument, nodeNameOf, resolveDocument, takenNames, type Doc } from '../../../src/shared/document/view.js';
import { loadExample } from '../../support/examples.js';

describe('view', () => {
  it('collects ids of every element kind', () => {
    const doc = loadExample('05-port-forward') as Doc;
    const withMore: Doc = { ...doc, probes: [{ id: 'p', from: 'red', to: 'blue' }], notes: [{ id: 'n', text: 'x' }] };
    expect([...elementIds(withMore)].sort()).toEqual(['blue', 'blue-vnet0', 'host', 'host-internet', 'internet', 'masq-vnet0', 'n', 'p', 'red', 'red-vnet0', 'vnet0', 'web']);
  });

  it('takes namespace names, the uplink and written interface names as well as ids', () => {
    const doc: Doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'a', kind: 'namespace', name: 'red' }, { id: 'h', kind: 'host', uplink: 'wan0' }],
      links: [{ id: 'l', a: { node: 'a', ifname: 'eth7' }, b: { node: 'h' } }],
    };
    expect([...takenNames(doc)].sort()).toEqual(['a', 'eth7', 'h', 'l', 'red', 'wan0']);
    expect(nodeNameOf(doc.nodes![0]!)).toBe('red');
  });

  it('fills defaults and drops malformed fields so half-edited documents still resolve', () => {
    const doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'red', kind: 'namespace' }, { id: 'vnet0', kind: 'bridge', addresses: ['192.168.15.5/24', 7] }, { id: 'host', kind: 'host' }],
      links: [{ id: 'l', a: { node: 'red', addresses: ['nonsense', '192.168.15.1/24'] }, b: { node: 'vnet0', ifname: 3 } }],
    } as unknown as Doc;
    const lenient = lenientDocument(doc);
    expect(lenient.nodes[0]).toMatchObject({ router: false, routes: [], dns: [] });
    expect(lenient.nodes[1]).toMatchObject({ addresses: ['192.168.15.5/24'] });
    expect(lenient.nodes[2]).toMatchObject({ uplink: 'eth0' });
    expect(lenient.links[0]!.b).toEqual({ node: 'vnet0', addresses: [] });
    const r = resolveDocument(doc);
    expect(r.ifaces.map((i) => i.name)).toEqual(['vnet0', 'veth-red', 'veth-red-br']);
    expect(r.ifaces[1]!.addresses.map((c) => c.text)).toEqual(['192.168.15.1/24']);
  });
});
