import { describe, expect, it } from 'vitest';
import { describeRemoval, emptyDocument, perform, type Doc } from '../../../../src/shared/document/commands.js';
import { add, connect, deepFreeze, errors, example, node, run } from './support.js';

describe('commands > delete', () => {
  const ids = (list: { id: string }[] | undefined) => (list ?? []).map((x) => x.id);

  it.each<[string, string[], Record<string, string[]>, Record<string, unknown>]>([
    [
      'a namespace: its links, its port forward and probes to it go',
      ['blue'],
      { nodes: ['internet', 'host', 'vnet0', 'red'], links: ['host-internet', 'red-vnet0'], portForwards: [], masquerade: ['masq-vnet0'], probes: ['p-red'] },
      {},
    ],
    [
      'a link: the namespace loses its default route through it and the port forward to its address',
      ['blue-vnet0'],
      { nodes: ['internet', 'host', 'vnet0', 'red', 'blue'], links: ['host-internet', 'red-vnet0'], portForwards: [], masquerade: ['masq-vnet0'], probes: ['p-red', 'p-blue'] },
      { blue: [] },
    ],
    [
      'the bridge: every port link, routes through it, the emptied masquerade rule, the port forward and probes to nodes left without address',
      ['vnet0'],
      { nodes: ['internet', 'host', 'red', 'blue'], links: ['host-internet'], portForwards: [], masquerade: [], probes: [] },
      { red: [], blue: [] },
    ],
    [
      'a probe, a rule and a note by id',
      ['p-red', 'web', 'n1'],
      { nodes: ['internet', 'host', 'vnet0', 'red', 'blue'], links: ['host-internet', 'red-vnet0', 'blue-vnet0'], portForwards: [], masquerade: ['masq-vnet0'], probes: ['p-blue'], notes: [] },
      { red: [{ to: 'default', via: '192.168.15.5' }] },
    ],
  ])('removes %s', (_what, selected, expected, routes) => {
    const base: Doc = {
      ...example('05-port-forward'),
      probes: [
        { id: 'p-red', from: 'red', to: '192.168.15.5' },
        { id: 'p-blue', from: 'blue', to: 'red' },
      ],
      notes: [{ id: 'n1', text: 'note' }],
    };
    const { doc, selections } = run(base, { type: 'delete', ids: selected });
    const got: Record<string, string[]> = {
      nodes: ids(doc.nodes),
      links: ids(doc.links),
      portForwards: ids(doc.nat?.portForwards),
      masquerade: ids(doc.nat?.masquerade),
      probes: ids(doc.probes),
    };
    if (expected.notes) got.notes = ids(doc.notes);
    expect(got).toEqual(expected);
    for (const [id, r] of Object.entries(routes)) expect((node(doc, id) as { routes?: unknown }).routes).toEqual(r);
    expect(selections).toEqual([[]]);
    expect(errors(doc)).toEqual([]);
  });

  it('keeps routes the delete did not break, and removes those whose gateway it took away', () => {
    const { doc } = run(example('06-router'), { type: 'delete', ids: ['green'] });
    expect(node(doc, 'blue')).toMatchObject({ routes: [{ to: 'default', via: '192.168.16.1' }] });
    expect(node(doc, 'red')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.1' }] });
    // blue still has its address in 192.168.16.0/24, but the router's 192.168.16.1 went with the link.
    const second = run(example('06-router'), { type: 'delete', ids: ['router-vnet1'] }).doc;
    expect(node(second, 'blue')).toMatchObject({ routes: [] });
    expect(node(second, 'red')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.1' }] });
    expect(errors(second)).toEqual([]);
  });

  it('removes a route whose gateway ends up on the other side of a split segment', () => {
    const { doc } = run(
      emptyDocument(),
      add('bridge'),
      add('bridge'),
      { type: 'updateNode', id: 'vnet0', patch: { addresses: ['192.168.15.5/24'] } },
      connect('vnet0', 'vnet1'),
      add('namespace'),
      connect('red', 'vnet1'),
    );
    expect(node(doc, 'red')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.5' }] });
    const split = run(doc, { type: 'delete', ids: ['vnet0-vnet1'] }).doc;
    expect(node(split, 'red')).toMatchObject({ routes: [] });
    expect(errors(split)).toEqual([]);
  });

  it('leaves a route that was already broken alone', () => {
    const base: Doc = { ...example('06-router'), nodes: example('06-router').nodes!.map((n) => (n.id === 'green' ? { ...n, routes: [{ to: '10.0.0.0/8', via: '172.16.0.1' }] } : n)) };
    const { doc } = run(base, { type: 'delete', ids: ['red'] });
    expect(node(doc, 'green')).toMatchObject({ routes: [{ to: '10.0.0.0/8', via: '172.16.0.1' }] });
  });

  it('removes routes that name a removed interface by dev', () => {
    const base: Doc = {
      version: 1,
      name: 't',
      nodes: [
        { id: 'red', kind: 'namespace', routes: [{ to: '10.0.0.0/8', dev: 'veth-red' }, { to: '172.16.0.0/12', dev: 'other' }] },
        { id: 'blue', kind: 'namespace' },
        { id: 'green', kind: 'namespace' },
      ],
      links: [
        { id: 'red-blue', a: { node: 'red', ifname: 'veth-red' }, b: { node: 'blue' } },
        { id: 'red-green', a: { node: 'red', ifname: 'other' }, b: { node: 'green' } },
      ],
    };
    const { doc } = run(base, { type: 'delete', ids: ['blue'] });
    expect(node(doc, 'red')).toMatchObject({ routes: [{ to: '172.16.0.0/12', dev: 'other' }] });
  });

  it('returns the same document when no id exists', () => {
    const base = deepFreeze(example('04-nat'));
    expect(perform(base, { type: 'delete', ids: ['nothing'] }).doc).toBe(base);
  });

  it('says what went along with a bridge: its links, the routes through it, the masquerade rule and the port forward', () => {
    const result = perform(example('05-port-forward'), { type: 'delete', ids: ['vnet0'] });
    expect(result.alsoRemoved).toEqual([
      { kind: 'link', id: 'red-vnet0', text: 'red-vnet0' },
      { kind: 'link', id: 'blue-vnet0', text: 'blue-vnet0' },
      { kind: 'route', id: 'red', text: 'default via 192.168.15.5' },
      { kind: 'route', id: 'blue', text: 'default via 192.168.15.5' },
      { kind: 'masquerade', id: 'masq-vnet0', text: '192.168.15.0/24' },
      { kind: 'portForward', id: 'web', text: 'tcp 80 -> 192.168.15.2:80' },
    ]);
    expect(describeRemoval(result.alsoRemoved!)).toBe(
      'Also removed: 2 links (red-vnet0, blue-vnet0); 2 routes (red: default via 192.168.15.5, blue: default via 192.168.15.5); masquerade rule 192.168.15.0/24; port forward tcp 80 -> 192.168.15.2:80.',
    );
  });

  it('lists nothing besides what was selected when nothing else went, and probes when they did', () => {
    expect(perform(example('05-port-forward'), { type: 'delete', ids: ['web'] }).alsoRemoved).toEqual([]);
    expect(describeRemoval([])).toBe('');
    const base: Doc = { ...example('02-bridge'), probes: [{ id: 'p', from: 'red', to: 'blue' }] };
    const { alsoRemoved } = perform(base, { type: 'delete', ids: ['blue'] });
    expect(alsoRemoved?.map((r) => `${r.kind} ${r.id}`)).toEqual(['link blue-vnet0', 'probe p']);
    expect(describeRemoval(alsoRemoved!)).toBe('Also removed: link blue-vnet0; probe p (red -> blue).');
  });
});
