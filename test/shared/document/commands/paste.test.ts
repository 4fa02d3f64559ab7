import { describe, expect, it } from 'vitest';
import { copySelection, emptyDocument, perform, type Doc } from '../../../../src/shared/document/commands.js';
import { at, deepFreeze, errors, example, link, node, problems, run } from './support.js';

describe('commands > paste', () => {
  it('pastes a copy of the veth pair as new namespaces with their own subnet', () => {
    const base = example('01-veth-pair');
    const { doc, selections } = run(base, { type: 'paste', clipboard: copySelection(base, ['red', 'blue']), offset: { x: 50, y: 50 } });
    expect(selections).toEqual([['green', 'yellow', 'green-yellow']]);
    expect(doc.nodes!.slice(2)).toEqual([
      { id: 'green', kind: 'namespace', position: { x: 150, y: 250 } },
      { id: 'yellow', kind: 'namespace', position: { x: 450, y: 250 } },
    ]);
    expect(link(doc, 'green-yellow')).toEqual({
      id: 'green-yellow',
      a: { node: 'green', ifname: 'veth-green', addresses: ['192.168.16.1/24'] },
      b: { node: 'yellow', ifname: 'veth-yellow', addresses: ['192.168.16.2/24'] },
    });
    expect(problems(doc)).toEqual([]);
  });

  it('pastes a whole NAT lab into itself: host and internet stay single, the bridge subnet moves and routes follow', () => {
    const base: Doc = { ...example('05-port-forward'), notes: [{ id: 'n1', text: 'x', position: { x: 0, y: 0 } }] };
    const all = [...base.nodes!.map((n) => n.id), 'n1'];
    const { doc, selections } = run(base, { type: 'paste', clipboard: copySelection(base, all), offset: { x: 0, y: 500 } });
    expect(selections).toEqual([['vnet1', 'green', 'yellow', 'green-vnet1', 'yellow-vnet1', 'n1-2']]);
    expect(doc.nodes!.filter((n) => n.kind === 'host' || n.kind === 'internet')).toHaveLength(2);
    expect(node(doc, 'vnet1')).toMatchObject({ addresses: ['192.168.16.5/24'] });
    expect(node(doc, 'green')).toMatchObject({ routes: [{ to: 'default', via: '192.168.16.5' }], dns: ['1.1.1.1'] });
    // The example leaves interface names to the compiler; the copies do too.
    expect(link(doc, 'green-vnet1')).toEqual({ id: 'green-vnet1', a: { node: 'green', addresses: ['192.168.16.1/24'] }, b: { node: 'vnet1' } });
    expect(doc.links!.filter((l) => l.id.startsWith('host-internet'))).toHaveLength(1);
    expect(doc.notes!.map((n) => n.id)).toEqual(['n1', 'n1-2']);
    expect(doc.nat).toBe(base.nat);
    expect(errors(doc)).toEqual([]);
  });

  it('pastes into another document unchanged apart from the offset', () => {
    const source = example('06-router');
    const clip = copySelection(source, source.nodes!.map((n) => n.id));
    const { doc } = run(emptyDocument('other'), { type: 'paste', clipboard: clip, offset: at });
    expect(doc.nodes).toEqual(source.nodes);
    expect(doc.links).toEqual(source.links);
    expect(problems(doc)).toEqual(problems({ ...source, name: 'other' }));
  });

  it('drops routes whose gateway did not come along, and a clashing namespace name', () => {
    const base: Doc = {
      ...example('04-nat'),
      nodes: [...example('04-nat').nodes!, { id: 'svc', kind: 'namespace', name: 'blue-ns', routes: [{ to: '10.0.0.0/8', dev: 'veth-x' }] }],
      links: [...example('04-nat').links!, { id: 'svc-red', a: { node: 'svc', ifname: 'veth-x', addresses: ['10.1.0.1/24'] }, b: { node: 'red', addresses: ['10.1.0.2/24'] } }],
    };
    expect(errors(base)).toEqual([]);
    const { doc } = run(base, { type: 'paste', clipboard: copySelection(base, ['blue', 'svc']), offset: at });
    expect(node(doc, 'green')).toEqual({ id: 'green', kind: 'namespace', routes: [], dns: ['1.1.1.1'], position: { x: 450, y: 300 } });
    expect(node(doc, 'svc-2')).toEqual({ id: 'svc-2', kind: 'namespace', routes: [] });
    expect(errors(doc)).toEqual([]);
  });

  it('re-proposes interface names that clash with ones the user wrote', () => {
    const base: Doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'a', kind: 'namespace' }, { id: 'b', kind: 'namespace' }],
      links: [{ id: 'l', a: { node: 'a', ifname: 'eth0', addresses: ['10.0.0.1/24'] }, b: { node: 'b', ifname: 'eth0', addresses: ['10.0.0.2/24'] } }],
    };
    const other: Doc = { version: 1, name: 'o', nodes: [{ id: 'x', kind: 'bridge', name: 'eth0' }], links: [] };
    const { doc } = run(other, { type: 'paste', clipboard: copySelection(base, ['a', 'b']), offset: at });
    expect(link(doc, 'l')).toEqual({ id: 'l', a: { node: 'a', ifname: 'veth-a', addresses: ['10.0.0.1/24'] }, b: { node: 'b', ifname: 'veth-b', addresses: ['10.0.0.2/24'] } });
    expect(errors(doc)).toEqual([]);
  });

  it('returns the same document for an empty clipboard', () => {
    const base = deepFreeze(example('01-veth-pair'));
    expect(perform(base, { type: 'paste', clipboard: { nodes: [], links: [], notes: [] }, offset: at }).doc).toBe(base);
  });
});
