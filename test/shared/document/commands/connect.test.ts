import { describe, expect, it } from 'vitest';
import { resolveDocument } from '../../../../src/shared/document/view.js';
import { byteLength } from '../../../../src/shared/model/resolve.js';
import { emptyDocument, perform, type Doc, type EditorCommand, type LinkInput } from '../../../../src/shared/document/commands.js';
import { loadExamples } from '../../../support/examples.js';
import { add, connect, errors, example, link, node, problems, run, thrown } from './support.js';

describe('commands > connect', () => {
  it.each<[string, EditorCommand[], LinkInput, Record<string, unknown>]>([
    [
      'two namespaces: a fresh /24 with .1 and .2',
      [add('namespace'), add('namespace'), connect('red', 'blue')],
      { id: 'red-blue', a: { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] }, b: { node: 'blue', ifname: 'veth-blue', addresses: ['192.168.15.2/24'] } },
      {},
    ],
    [
      'a namespace to a bridge without addresses: a fresh /24 from .1, no route',
      [add('namespace'), add('bridge'), connect('red', 'vnet0')],
      { id: 'red-vnet0', a: { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0', ifname: 'veth-red-br' } },
      { red: undefined },
    ],
    [
      'a bridge to a namespace (drawn from the bridge)',
      [add('namespace'), add('bridge'), { type: 'updateNode', id: 'vnet0', patch: { addresses: ['10.1.0.1/16'] } }, connect('vnet0', 'red')],
      { id: 'vnet0-red', a: { node: 'vnet0', ifname: 'veth-red-br' }, b: { node: 'red', ifname: 'veth-red', addresses: ['10.1.0.2/16'] } },
      { red: [{ to: 'default', via: '10.1.0.1' }] },
    ],
    [
      'the host to a namespace: the host gets .5 and is the gateway',
      [add('namespace'), add('host'), connect('host', 'red')],
      { id: 'host-red', a: { node: 'host', ifname: 'veth-red-host', addresses: ['192.168.15.5/24'] }, b: { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] } },
      { red: [{ to: 'default', via: '192.168.15.5' }] },
    ],
    [
      'the host to a bridge: the host end prefers .5',
      [add('bridge'), add('host'), connect('host', 'vnet0')],
      { id: 'host-vnet0', a: { node: 'host', ifname: 'veth-host-vnet0', addresses: ['192.168.15.5/24'] }, b: { node: 'vnet0', ifname: 'veth-vnet0-host' } },
      {},
    ],
    [
      'two bridges: no addresses',
      [add('bridge'), add('bridge'), connect('vnet0', 'vnet1')],
      // veth-vnet0-vnet1 is 16 bytes: shortened with a hash, as the compiler does
      { id: 'vnet0-vnet1', a: { node: 'vnet0', ifname: 'veth-vnet0-vnet' }, b: { node: 'vnet1', ifname: 'veth-vnet1-vnet' } },
      {},
    ],
    [
      'the host to the internet: the uplink, no names or addresses',
      [add('host'), add('internet'), connect('host', 'internet')],
      { id: 'host-internet', a: { node: 'host' }, b: { node: 'internet' } },
      {},
    ],
    [
      'a dual-stack bridge: one address per family and a default route per family',
      [add('namespace'), add('bridge'), { type: 'updateNode', id: 'vnet0', patch: { addresses: ['192.168.15.5/24', 'fd00:15::5/64'] } }, connect('red', 'vnet0')],
      { id: 'red-vnet0', a: { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24', 'fd00:15::1/64'] }, b: { node: 'vnet0', ifname: 'veth-red-br' } },
      { red: [{ to: 'default', via: '192.168.15.5' }, { to: 'default6', via: 'fd00:15::5' }] },
    ],
  ])('links %s', (_what, cmds, expected, routes) => {
    const { doc, selections } = run(emptyDocument(), ...cmds);
    expect(doc.links!.at(-1)).toEqual(expected);
    expect(selections.at(-1)).toEqual([expected.id]);
    for (const [id, r] of Object.entries(routes)) expect((node(doc, id) as { routes?: unknown }).routes).toEqual(r);
    expect(errors(doc)).toEqual([]);
  });

  it('gives each namespace pair its own /24 and each bridge port the next free address', () => {
    const { doc } = run(
      emptyDocument(),
      ...Array.from({ length: 4 }, () => add('namespace')),
      add('bridge'),
      connect('red', 'blue'),
      connect('green', 'yellow'),
      connect('red', 'vnet0'),
      connect('blue', 'vnet0'),
      connect('green', 'vnet0'),
    );
    const addresses = doc.links!.map((l) => `${l.id}: ${[...(l.a.addresses ?? []), ...(l.b.addresses ?? [])].join(' ')}`);
    expect(addresses).toEqual([
      'red-blue: 192.168.15.1/24 192.168.15.2/24',
      'green-yellow: 192.168.16.1/24 192.168.16.2/24',
      'red-vnet0: 192.168.17.1/24',
      'blue-vnet0: 192.168.17.2/24',
      'green-vnet0: 192.168.17.3/24',
    ]);
    expect(doc.links!.map((l) => `${l.a.ifname} ${l.b.ifname}`)).toEqual([
      'veth-red veth-blue',
      'veth-green veth-yellow',
      'veth-red-vnet0 veth-red-br',
      'veth-blue-vnet0 veth-blue-br',
      'veth-green-vnet veth-green-br', // veth-green-vnet0 is 16 bytes
    ]);
    expect(problems(doc)).toEqual([]);
  });

  it('skips the bridge address and addresses of the segment written by hand', () => {
    const { doc } = run(example('03-host-bridge'), add('namespace'), connect('green', 'vnet0'), add('namespace'), connect('yellow', 'vnet0'));
    expect(link(doc, 'green-vnet0').a.addresses).toEqual(['192.168.15.3/24']);
    expect(link(doc, 'yellow-vnet0').a.addresses).toEqual(['192.168.15.4/24']);
    expect(errors(doc)).toEqual([]);
  });

  it('keeps the compiler-generated names of existing links unchanged', () => {
    const before = example('02-bridge');
    const names = (d: Doc) => resolveDocument(d).ifaces.map((i) => `${i.key}=${i.name}`);
    const { doc } = run(before, add('namespace'), connect('red', 'yellow'));
    expect(names(doc).slice(0, names(before).length)).toEqual(names(before));
    expect(link(doc, 'red-yellow')).toMatchObject({ a: { ifname: 'veth-red-yellow' }, b: { ifname: 'veth-yellow' } });
    expect(errors(doc)).toEqual([]);
  });

  it('fits interface names of long namespace names into 15 bytes', () => {
    const long: Doc = {
      version: 1,
      name: 't',
      nodes: [
        { id: 'a-rather-long-namespace-name', kind: 'namespace' },
        { id: 'a-rather-long-namespace-name-too', kind: 'namespace' },
        { id: 'vnet0', kind: 'bridge' },
      ],
      links: [],
    };
    const { doc } = run(long, connect('a-rather-long-namespace-name', 'a-rather-long-namespace-name-too'), connect('a-rather-long-namespace-name', 'vnet0'), connect('a-rather-long-namespace-name-too', 'vnet0'));
    for (const l of doc.links!) for (const end of [l.a, l.b]) expect(byteLength(end.ifname!)).toBeLessThanOrEqual(15);
    expect(problems(doc)).toEqual([]);
  });

  it.each(loadExamples().map((e) => e.name))('adds a namespace to every bridge of %s and stays valid', (name) => {
    let doc = example(name);
    for (const bridge of (doc.nodes ?? []).filter((n) => n.kind === 'bridge')) {
      const added = run(doc, add('namespace'));
      doc = run(added.doc, connect(added.selections[0]![0]!, bridge.id)).doc;
    }
    const extra = run(doc, add('namespace'), add('namespace'));
    const [x, y] = extra.selections.map((s) => s![0]!);
    doc = run(extra.doc, connect(x!, y!)).doc;
    expect(errors(doc)).toEqual([]);
  });

  it.each<[string, EditorCommand, string]>([
    ['itself', connect('red', 'red'), 'red cannot be connected to itself; drag the link to another node'],
    ['a missing node', connect('red', 'nothere'), 'cannot connect red to nothere: node "nothere" does not exist; connect existing nodes'],
    ['the same pair twice', connect('vnet0', 'red'), 'vnet0 and red are already connected by link red-vnet0; edit that link instead'],
    ['the internet to a namespace', connect('internet', 'red'), 'the Internet node internet can only be linked to the Host node, not to namespace red; connect red to a bridge or the host instead'],
    ['the host to the internet twice', connect('internet', 'host'), 'internet and host are already connected by link host-internet; edit that link instead'],
  ])('refuses to connect %s', (_what, cmd, message) => {
    const doc = example('04-nat');
    expect(thrown(() => perform(doc, cmd)).message).toBe(message);
  });

  it('refuses a second uplink for a host that a loaded file gave two Internet nodes', () => {
    const doc: Doc = { ...example('04-nat'), nodes: [...example('04-nat').nodes!, { id: 'internet2', kind: 'internet' }] };
    expect(thrown(() => perform(doc, connect('host', 'internet2'))).message).toBe('the host host is already linked to the Internet by link host-internet; remove that link first');
  });

  it('refuses when no fresh subnet is left', () => {
    const doc: Doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'red', kind: 'namespace' }, { id: 'blue', kind: 'namespace' }, { id: 'x', kind: 'namespace', routes: [{ to: '192.168.0.0/16', dev: 'a' }, { to: '10.0.0.0/8', dev: 'a' }] }],
      links: [],
    };
    expect(thrown(() => perform(doc, connect('red', 'blue'))).message).toMatch(/^link red-blue: every \/24 the editor proposes .* is in use/);
  });

  it('joins bridges that carry one subnet, and refuses bridges with different subnets', () => {
    const { doc } = run(
      emptyDocument(),
      add('bridge'),
      add('bridge'),
      add('bridge'),
      { type: 'updateNode', id: 'vnet0', patch: { addresses: ['192.168.15.5/24'] } },
      { type: 'updateNode', id: 'vnet2', patch: { addresses: ['192.168.16.5/24'] } },
      connect('vnet0', 'vnet1'),
      add('namespace'),
      connect('red', 'vnet1'),
    );
    expect(link(doc, 'red-vnet1').a.addresses).toEqual(['192.168.15.1/24']);
    expect(errors(doc)).toEqual([]);
    expect(thrown(() => perform(doc, connect('vnet1', 'vnet2'))).message).toBe(
      'vnet1 carries 192.168.15.0/24 and vnet2 carries 192.168.16.0/24; a link would make them one segment with two subnets, so connect them through a router namespace instead',
    );
  });

  it('refuses a loop between bridges already joined through another bridge', () => {
    const { doc } = run(emptyDocument(), add('bridge'), add('bridge'), add('bridge'), connect('vnet0', 'vnet1'), connect('vnet1', 'vnet2'));
    expect(thrown(() => perform(doc, connect('vnet2', 'vnet0'))).message).toBe(
      'vnet2 and vnet0 are already joined through other bridges; another link between them would make a loop where frames circle forever, so leave it out',
    );
  });

  it('refuses when a segment has no free address left', () => {
    const { doc } = run(emptyDocument(), add('bridge'), { type: 'updateNode', id: 'vnet0', patch: { addresses: ['10.0.0.1/30'] } }, add('namespace'), add('namespace'), connect('red', 'vnet0'));
    expect(thrown(() => perform(doc, connect('blue', 'vnet0'))).message).toBe('segment vnet0 has no free address left in 10.0.0.0/30 for blue; use a larger subnet');
  });

  it('keeps an existing default route', () => {
    const { doc } = run(example('04-nat'), add('bridge'), { type: 'updateNode', id: 'vnet1', patch: { addresses: ['192.168.16.5/24'] } }, connect('blue', 'vnet1'));
    expect(node(doc, 'blue')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.5' }] });
    expect(errors(doc)).toEqual([]);
  });
});
