import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/shared/compiler/validate.js';
import { compile, formatProblem } from '../../../src/shared/compiler/index.js';
import { resolveDocument } from '../../../src/shared/document/view.js';
import { byteLength } from '../../../src/shared/compiler/resolve.js';
import {
  CommandError,
  copySelection,
  emptyDocument,
  perform,
  type Doc,
  type EditorCommand,
  type LinkInput,
  type NodeInput,
} from '../../../src/shared/document/commands.js';
import { loadExample, loadExamples } from '../../support/examples.js';

/** Freezes a document so that any mutation by a command throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Performs commands in order on frozen documents; returns the last document and each selection. */
function run(doc: Doc, ...cmds: EditorCommand[]): { doc: Doc; selections: (string[] | undefined)[] } {
  const selections: (string[] | undefined)[] = [];
  let current = deepFreeze(doc);
  for (const cmd of cmds) {
    const result = perform(current, cmd);
    selections.push(result.selection);
    current = deepFreeze(result.doc);
  }
  return { doc: current, selections };
}

/** The validator's errors and warnings, formatted; [] for a clean document. */
function problems(doc: Doc): string[] {
  const v = validate(doc);
  return v.ok ? v.warnings.map((p) => formatProblem(p)) : v.problems.map((p) => formatProblem(p));
}

function errors(doc: Doc): string[] {
  const v = validate(doc);
  return v.ok ? [] : v.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(p));
}

const at = { x: 0, y: 0 };
const add = (kind: NodeInput['kind'], router?: boolean): EditorCommand => ({ type: 'addNode', kind, position: at, ...(router ? { router } : {}) });
const connect = (from: string, to: string): EditorCommand => ({ type: 'connect', from, to });
const example = (name: string) => loadExample(name) as Doc;
const node = (doc: Doc, id: string) => doc.nodes!.find((n) => n.id === id)!;
const link = (doc: Doc, id: string) => doc.links!.find((l) => l.id === id)!;

/** Tutorial step 6 drawn with commands: red and blue on vnet0, which has the host address 192.168.15.5/24. */
function tutorialBridgeLab(): Doc {
  return run(
    emptyDocument('tutorial'),
    add('namespace'),
    add('namespace'),
    add('bridge'),
    { type: 'updateNode', id: 'vnet0', patch: { addresses: ['192.168.15.5/24'] } },
    connect('red', 'vnet0'),
    connect('blue', 'vnet0'),
  ).doc;
}

function thrown(f: () => unknown): CommandError {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandError) return e;
    throw e;
  }
  throw new Error('expected a CommandError');
}

describe('commands', () => {
  it('starts from an empty document the validator accepts', () => {
    expect(emptyDocument()).toEqual({ version: 1, name: 'lab', nodes: [], links: [] });
    expect(validate(emptyDocument('mylab')).ok).toBe(true);
  });

  it('builds the tutorial bridge lab that validates and compiles to the tutorial commands', () => {
    const doc = tutorialBridgeLab();
    expect(doc.nodes!.map((n) => n.id)).toEqual(['red', 'blue', 'vnet0']);
    expect(link(doc, 'red-vnet0')).toEqual({ id: 'red-vnet0', a: { node: 'red', ifname: 'veth-red', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0', ifname: 'veth-red-br' } });
    expect(link(doc, 'blue-vnet0')).toEqual({ id: 'blue-vnet0', a: { node: 'blue', ifname: 'veth-blue', addresses: ['192.168.15.2/24'] }, b: { node: 'vnet0', ifname: 'veth-blue-br' } });
    expect(node(doc, 'red')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.5' }] });
    expect(problems(doc)).toEqual([]);
    const compiled = compile(doc);
    if (!compiled.ok) throw new Error(compiled.problems.map((p) => formatProblem(p)).join('\n'));
    const lines = compiled.script.split('\n').map((l) => l.trim());
    for (const expected of [
      'ip link show dev vnet0 >/dev/null 2>&1 || ip link add vnet0 type bridge',
      'ip link add veth-red type veth peer name veth-red-br',
      'ip link add veth-blue type veth peer name veth-blue-br',
      'ip link set veth-red-br master vnet0',
      'ip addr replace 192.168.15.5/24 dev vnet0',
      'ip -n red addr replace 192.168.15.1/24 dev veth-red',
      'ip -n blue addr replace 192.168.15.2/24 dev veth-blue',
      'ip -n red route replace default via 192.168.15.5',
    ]) {
      expect(lines).toContain(expected);
    }
  });

  it('draws the tutorial veth pair like the first example', () => {
    const { doc } = run(emptyDocument('veth-pair'), add('namespace'), add('namespace'), connect('red', 'blue'));
    expect(doc.links).toEqual(example('01-veth-pair').links);
    expect(problems(doc)).toEqual([]);
  });
});

describe('commands > addNode', () => {
  it('names nodes in the tutorial style and selects the new node', () => {
    const kinds: [NodeInput['kind'], boolean?][] = [['namespace'], ['namespace'], ['namespace', true], ['bridge'], ['bridge'], ['host'], ['internet'], ['namespace'], ['namespace', true]];
    const { doc, selections } = run(emptyDocument(), ...kinds.map(([k, r]) => add(k, r)));
    expect(selections).toEqual([['red'], ['blue'], ['router1'], ['vnet0'], ['vnet1'], ['host'], ['internet'], ['green'], ['router2']]);
    expect(doc.nodes).toEqual([
      { id: 'red', kind: 'namespace', position: at },
      { id: 'blue', kind: 'namespace', position: at },
      { id: 'router1', kind: 'namespace', router: true, position: at },
      { id: 'vnet0', kind: 'bridge', position: at },
      { id: 'vnet1', kind: 'bridge', position: at },
      { id: 'host', kind: 'host', uplink: 'eth0', position: at },
      { id: 'internet', kind: 'internet', target: '203.0.113.1', position: at },
      { id: 'green', kind: 'namespace', position: at },
      { id: 'router2', kind: 'namespace', router: true, position: at },
    ]);
    expect(problems(doc)).toEqual([]);
  });

  it('continues with ns1 after the colours and avoids ids and names already taken', () => {
    const taken: Doc = { version: 1, name: 't', nodes: [{ id: 'x', kind: 'namespace', name: 'red' }], links: [], notes: [{ id: 'blue', text: '' }] };
    expect(run(taken, add('namespace')).selections).toEqual([['green']]);
    const { selections } = run(emptyDocument(), ...Array.from({ length: 12 }, () => add('namespace')));
    expect(selections.slice(9).flat()).toEqual(['gray', 'ns1', 'ns2']);
  });

  it.each<[NodeInput['kind'], string]>([
    ['host', 'the lab already has a Host node (host) and there is only one host; connect to host instead of adding another'],
    ['internet', 'the lab already has an Internet node (internet); link the host to internet instead of adding another'],
  ])('refuses a second %s node with a message naming the fix', (kind, message) => {
    const { doc } = run(emptyDocument(), add(kind));
    const e = thrown(() => perform(doc, add(kind)));
    expect(e.message).toBe(message);
    expect(e.name).toBe('CommandError');
    expect(e.element).toBe(kind);
  });

  it('refuses the router flag on anything but a namespace', () => {
    expect(thrown(() => perform(emptyDocument(), add('bridge', true))).message).toMatch(/only a namespace can/);
  });
});

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
      { id: 'vnet0-vnet1', a: { node: 'vnet0', ifname: 'veth-vnet0-3847' }, b: { node: 'vnet1', ifname: 'veth-vnet1-388f' } },
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
      'veth-green-58c8 veth-green-br', // veth-green-vnet0 is 16 bytes
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

describe('commands > move', () => {
  it('moves nodes and notes and ignores unknown ids', () => {
    const base: Doc = { ...example('01-veth-pair'), notes: [{ id: 'n1', text: 'hi' }] };
    const { doc } = run(base, { type: 'move', moves: [{ id: 'red', position: { x: 5, y: 6 } }, { id: 'n1', position: { x: 1, y: 2 } }, { id: 'gone', position: at }] });
    expect(node(doc, 'red').position).toEqual({ x: 5, y: 6 });
    expect(node(doc, 'blue')).toBe(base.nodes![1]);
    expect(doc.notes![0]!.position).toEqual({ x: 1, y: 2 });
    expect(doc.links).toBe(base.links);
  });

  it('returns the same document when nothing moves', () => {
    const base = deepFreeze(example('01-veth-pair'));
    expect(perform(base, { type: 'move', moves: [{ id: 'red', position: { x: 100, y: 200 } }] }).doc).toBe(base);
    expect(perform(base, { type: 'move', moves: [] }).doc).toBe(base);
  });
});

describe('commands > addNote and updateNote', () => {
  it('adds numbered notes the compiler ignores, and edits their text', () => {
    const base = deepFreeze(example('01-veth-pair'));
    const first = perform(base, { type: 'addNote', position: { x: 10, y: 20 } });
    expect(first.selection).toEqual(['note1']);
    const second = perform(first.doc, { type: 'addNote', position: at, text: 'step 4 of the tutorial' });
    expect(second.doc.notes!.map((n) => [n.id, n.text])).toEqual([
      ['note1', 'Note'],
      ['note2', 'step 4 of the tutorial'],
    ]);
    const edited = perform(second.doc, { type: 'updateNote', id: 'note1', text: 'red and blue share one cable' }).doc;
    expect(edited.notes![0]).toEqual({ id: 'note1', text: 'red and blue share one cable', position: { x: 10, y: 20 } });
    const a = compile(base);
    const b = compile(edited);
    if (!a.ok || !b.ok) throw new Error('expected both to compile');
    expect(b.script).toBe(a.script);
  });

  it('skips a note id an element already has, changes nothing for the same text, and refuses an unknown note', () => {
    const base: Doc = { ...example('01-veth-pair'), notes: [{ id: 'note1', text: 'x' }] };
    expect(perform(base, { type: 'addNote', position: at }).selection).toEqual(['note2']);
    expect(perform(base, { type: 'updateNote', id: 'note1', text: 'x' }).doc).toBe(base);
    expect(() => perform(base, { type: 'updateNote', id: 'nope', text: 'y' })).toThrow(CommandError);
  });
});

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
});

describe('commands > updateNode', () => {
  it('renames a namespace: links, link ids, scheme interface names, probes and routes by dev follow', () => {
    const base: Doc = {
      ...tutorialBridgeLab(),
      probes: [{ id: 'p', from: 'red', to: 'blue' }, { id: 'q', from: 'blue', to: 'red' }],
    };
    const withDev = run(base, { type: 'updateNode', id: 'red', patch: { routes: [{ to: 'default', via: '192.168.15.5' }, { to: '10.0.0.0/8', dev: 'veth-red' }] } }).doc;
    const { doc, selections } = run(withDev, { type: 'updateNode', id: 'red', patch: { id: 'web' } });
    expect(selections).toEqual([['web']]);
    expect(doc.nodes!.map((n) => n.id)).toEqual(['web', 'blue', 'vnet0']);
    expect(link(doc, 'web-vnet0')).toEqual({ id: 'web-vnet0', a: { node: 'web', ifname: 'veth-web', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0', ifname: 'veth-web-br' } });
    expect(doc.probes).toEqual([{ id: 'p', from: 'web', to: 'blue' }, { id: 'q', from: 'blue', to: 'web' }]);
    expect(node(doc, 'web')).toMatchObject({ routes: [{ to: 'default', via: '192.168.15.5' }, { to: '10.0.0.0/8', dev: 'veth-web' }] });
    expect(problems(doc)).toEqual([]);
  });

  it('keeps interface names the user chose and link ids not named after their ends', () => {
    const base: Doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'red', kind: 'namespace' }, { id: 'blue', kind: 'namespace' }],
      links: [{ id: 'cable', a: { node: 'red', ifname: 'eth0', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', ifname: 'veth-blue', addresses: ['10.0.0.2/24'] } }],
    };
    const { doc } = run(base, { type: 'updateNode', id: 'red', patch: { id: 'web' } });
    expect(doc.links).toEqual([{ id: 'cable', a: { node: 'web', ifname: 'eth0', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', ifname: 'veth-blue', addresses: ['10.0.0.2/24'] } }]);
  });

  it('follows a change of the namespace name, not only of the id', () => {
    const { doc } = run(tutorialBridgeLab(), { type: 'updateNode', id: 'red', patch: { name: 'web' } });
    expect(link(doc, 'red-vnet0')).toMatchObject({ a: { node: 'red', ifname: 'veth-web' }, b: { ifname: 'veth-web-br' } });
    expect(problems(doc)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['to an id in use', { id: 'blue' }, 'node red: id "blue" is already used by another element; pick another id'],
    ['to an id of a link', { id: 'blue-vnet0' }, 'node red: id "blue-vnet0" is already used by another element; pick another id'],
    ['to an invalid id', { id: 'a b' }, 'node red: id "a b" is not a valid name; use a letter or digit first, then only letters, digits, "_", "." or "-"'],
    ['to an empty id', { id: '' }, 'node red: the id cannot be empty; use a letter or digit first, then only letters, digits, "_", "." or "-"'],
    ['to another kind', { kind: 'bridge' }, 'node red: a namespace cannot become a bridge; delete it and add a new node instead'],
  ])('refuses a rename %s', (_what, patch, message) => {
    expect(thrown(() => perform(tutorialBridgeLab(), { type: 'updateNode', id: 'red', patch })).message).toBe(message);
  });

  it('refuses a rename whose namespace name another namespace has', () => {
    const base: Doc = { version: 1, name: 't', nodes: [{ id: 'red', kind: 'namespace' }, { id: 'x', kind: 'namespace', name: 'web' }], links: [] };
    for (const patch of [{ id: 'web' }, { name: 'web' }]) {
      expect(thrown(() => perform(base, { type: 'updateNode', id: 'red', patch })).message).toBe('node red: namespace name "web" is already used by node x; pick another name');
    }
  });

  it('refuses to update a node that does not exist', () => {
    expect(thrown(() => perform(emptyDocument(), { type: 'updateNode', id: 'x', patch: {} })).message).toBe('node "x" does not exist; it may have been deleted');
  });

  it('patches shallowly, removes keys patched to undefined and returns the same document for a no-op', () => {
    const base = tutorialBridgeLab();
    const { doc } = run(base, { type: 'updateNode', id: 'red', patch: { notes: 'hello', dns: ['1.1.1.1'] } });
    expect(node(doc, 'red')).toMatchObject({ notes: 'hello', dns: ['1.1.1.1'] });
    const cleared = run(doc, { type: 'updateNode', id: 'red', patch: { notes: undefined } }).doc;
    expect('notes' in node(cleared, 'red')).toBe(false);
    expect(perform(doc, { type: 'updateNode', id: 'red', patch: { notes: 'hello', kind: 'namespace', id: 'red' } }).doc).toBe(doc);
  });
});

describe('commands > updateLink', () => {
  it('replaces ends and renames the link', () => {
    const base = example('01-veth-pair');
    const { doc, selections } = run(base, { type: 'updateLink', id: 'red-blue', patch: { id: 'cable', a: { node: 'red', ifname: 'eth0', addresses: ['192.168.15.1/24'] }, mtu: 1400 } });
    expect(doc.links).toEqual([{ id: 'cable', a: { node: 'red', ifname: 'eth0', addresses: ['192.168.15.1/24'] }, b: base.links![0]!.b, mtu: 1400 }]);
    expect(selections).toEqual([['cable']]);
    expect(problems(doc)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an end on a missing node', { b: { node: 'nothere' } }, 'link red-blue: end b must name an existing node, and "nothere" does not exist; pick a node of the lab'],
    ['an end without a node', { a: {} }, 'link red-blue: end a must name an existing node; pick a node of the lab'],
    ['both ends on one node', { b: { node: 'red' } }, 'link red-blue would connect red to itself; connect the other end to a different node'],
    ['an id in use', { id: 'red' }, 'link red-blue: id "red" is already used by another element; pick another id'],
  ])('refuses %s', (_what, patch, message) => {
    expect(thrown(() => perform(example('01-veth-pair'), { type: 'updateLink', id: 'red-blue', patch })).message).toBe(message);
  });

  it('returns the same document for a no-op', () => {
    const base = deepFreeze(example('01-veth-pair'));
    expect(perform(base, { type: 'updateLink', id: 'red-blue', patch: { id: 'red-blue' } }).doc).toBe(base);
  });
});

describe('commands > updateDoc', () => {
  it('sets and clears the title and NAT, and keeps the required name', () => {
    const base = example('01-veth-pair');
    const { doc } = run(base, { type: 'updateDoc', patch: { title: 'New', description: undefined, name: undefined } });
    expect(doc.title).toBe('New');
    expect('description' in doc).toBe(false);
    expect(doc.name).toBe('veth-pair');
    expect(perform(deepFreeze(doc), { type: 'updateDoc', patch: { title: 'New' } }).doc).toBe(doc);
    const nat = run(doc, { type: 'updateDoc', patch: { nat: { masquerade: [{ id: 'm', source: '192.168.15.0/24' }] }, name: 'lab2' } }).doc;
    expect(nat).toMatchObject({ name: 'lab2', nat: { masquerade: [{ id: 'm', source: '192.168.15.0/24' }] } });
  });
});

describe('commands > copySelection and paste', () => {
  it('copies selected nodes with the links between them, and the ends of selected links', () => {
    const doc = example('04-nat');
    expect(copySelection(doc, ['red', 'vnet0', 'host']).links.map((l) => l.id)).toEqual(['red-vnet0']);
    const viaLink = copySelection(doc, ['blue-vnet0']);
    expect(viaLink.nodes.map((n) => n.id)).toEqual(['vnet0', 'blue']);
    expect(viaLink.links.map((l) => l.id)).toEqual(['blue-vnet0']);
    const clip = copySelection(doc, ['red']);
    (clip.nodes[0] as { notes?: string }).notes = 'changed';
    expect(node(doc, 'red')).not.toHaveProperty('notes');
  });

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

describe('commands > replace', () => {
  it('returns the given document', () => {
    const doc = example('02-bridge');
    expect(perform(emptyDocument(), { type: 'replace', doc }).doc).toBe(doc);
  });
});

describe('commands at scale', () => {
  it('builds 500 namespaces on one bridge that the validator accepts', () => {
    let doc = run(emptyDocument('big'), add('bridge'), { type: 'updateNode', id: 'vnet0', patch: { addresses: ['10.0.0.1/16'] } }).doc;
    for (let i = 0; i < 500; i++) {
      const added = perform(doc, add('namespace'));
      doc = perform(added.doc, connect(added.selection![0]!, 'vnet0')).doc;
    }
    expect(doc.nodes).toHaveLength(501);
    expect(node(doc, 'ns490')).toBeDefined();
    expect(link(doc, 'ns490-vnet0')).toMatchObject({ a: { ifname: 'veth-ns490', addresses: ['10.0.1.245/16'] }, b: { ifname: 'veth-ns490-br' } });
    expect(errors(doc)).toEqual([]);
  });
});

describe('commands > random sequences', () => {
  /** A small deterministic generator (LCG), so a failure names a seed that reproduces it. */
  function generator(seed: number) {
    let state = seed;
    const next = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x80000000;
    };
    return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
  }

  /** Warnings other than the DNS advice, which depends on choices the editor leaves to the user. */
  const warnings = (doc: Doc) => {
    const v = validate(doc);
    return v.ok ? v.warnings.filter((w) => !w.message.includes('"dns"')).map((p) => formatProblem(p)) : [];
  };

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('leaves no validator errors, and no new warnings but after deletes, for seed %i', (seed) => {
    const { next, pick } = generator(seed);
    let doc = emptyDocument('random');
    for (let step = 0; step < 60; step++) {
      const nodes = doc.nodes ?? [];
      const ids = nodes.map((n) => n.id);
      const all = [...ids, ...(doc.links ?? []).map((l) => l.id)];
      const lonelyBridges = nodes.filter((n) => n.kind === 'bridge' && !(doc.links ?? []).some((l) => l.a.node === n.id || l.b.node === n.id));
      const roll = next();
      let cmd: EditorCommand;
      if (roll < 0.3 || ids.length < 2) cmd = { type: 'addNode', kind: pick(['namespace', 'namespace', 'namespace', 'bridge', 'bridge', 'host', 'internet'] as const), position: at, router: next() < 0.15 };
      else if (roll < 0.6) cmd = connect(pick(ids), pick(ids));
      else if (roll < 0.68) cmd = { type: 'delete', ids: [pick(all)] };
      else if (roll < 0.76) cmd = { type: 'updateNode', id: pick(ids), patch: { id: `n${step}` } };
      else if (roll < 0.82 && lonelyBridges.length > 0) cmd = { type: 'updateNode', id: pick(lonelyBridges).id, patch: { addresses: [`172.${16 + (step % 10)}.${step}.5/24`] } };
      else cmd = { type: 'paste', clipboard: copySelection(doc, Array.from({ length: 4 }, () => pick(all))), offset: { x: 25, y: 25 } };
      let result: Doc;
      try {
        result = perform(doc, cmd).doc;
      } catch (e) {
        if (e instanceof CommandError) continue;
        throw e;
      }
      const context = `seed ${seed}, step ${step}: ${JSON.stringify(cmd).slice(0, 300)}`;
      expect(errors(result), context).toEqual([]);
      // Splitting a segment in two can leave both halves on one subnet; the user sees that warning.
      if (cmd.type !== 'delete') expect(warnings(result).filter((w) => !warnings(doc).includes(w)), context).toEqual([]);
      doc = result;
    }
  });
});
