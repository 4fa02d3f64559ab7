import { describe, expect, it } from 'vitest';
import { NAME_MAX, TopologyDocument, type TopologyInput } from '../../../src/shared/model/topology.js';
import { byteLength, fitIfName, resolve } from '../../../src/shared/model/resolve.js';
import {
  shortenedFrom,
  NAMESPACE_NAMES,
  fitId,
  idForCopy,
  idStyleOf,
  ifnameCandidates,
  InterfaceNames,
  isSchemeName,
  proposeNodeId,
  uniqueId,
  type IdStyle,
  type NamedNode,
} from '../../../src/shared/document/names.js';
import { loadExample } from '../../support/examples.js';

const ns = (name: string): NamedNode => ({ kind: 'namespace', name });
const bridge = (name: string): NamedNode => ({ kind: 'bridge', name });
const host: NamedNode = { kind: 'host', name: 'host' };

describe('names', () => {
  it.each<[IdStyle, string[], string]>([
    ['namespace', [], 'red'],
    ['namespace', ['red'], 'blue'],
    ['namespace', ['red', 'blue'], 'green'],
    ['namespace', ['blue'], 'red'],
    ['namespace', [...NAMESPACE_NAMES], 'ns1'],
    ['namespace', [...NAMESPACE_NAMES, 'ns1', 'ns2'], 'ns3'],
    ['router', [], 'router1'],
    ['router', ['router1'], 'router2'],
    ['bridge', [], 'vnet0'],
    ['bridge', ['vnet0'], 'vnet1'],
    ['host', [], 'host'],
    ['host', ['host'], 'host-2'],
    ['internet', [], 'internet'],
    ['internet', ['internet', 'internet-2'], 'internet-3'],
  ])('proposes a %s id %j -> %s', (style, taken, expected) => {
    expect(proposeNodeId(style, new Set(taken))).toBe(expected);
  });

  it('keeps ids within NAME_MAX when a base is long or numbered', () => {
    const long = 'x'.repeat(100);
    expect(fitId(long)).toHaveLength(NAME_MAX);
    expect(fitId(long)).not.toBe(fitId(`${'x'.repeat(99)}y`));
    const taken = new Set([fitId(long)]);
    const second = uniqueId(long, taken);
    expect(second).toHaveLength(NAME_MAX);
    expect(second.endsWith('-2')).toBe(true);
    expect(uniqueId('red-blue', new Set(['red-blue', 'red-blue-2']))).toBe('red-blue-3');
  });

  it.each<[string, string[], string]>([
    ['red', [], 'red'],
    ['red', ['red', 'blue'], 'green'],
    ['ns4', ['ns4', ...NAMESPACE_NAMES], 'ns1'],
    ['vnet0', ['vnet0'], 'vnet1'],
    ['router', ['router'], 'router1'],
    ['router1', ['router1'], 'router2'],
    ['web', ['web'], 'web-2'],
  ])('gives a copy of %s (taken %j) the id %s', (id, taken, expected) => {
    expect(idForCopy(id, new Set(taken))).toBe(expected);
  });

  it('recognises the tutorial styles of ids', () => {
    expect(['red', 'ns12', 'router', 'router3', 'vnet2', 'web'].map(idStyleOf)).toEqual(['namespace', 'namespace', 'router', 'router', 'bridge', undefined]);
  });

  it.each<[NamedNode, NamedNode, string[]]>([
    [ns('red'), ns('blue'), ['veth-red', 'veth-red-blue']],
    [ns('red'), bridge('vnet0'), ['veth-red', 'veth-red-vnet0']],
    [bridge('vnet0'), ns('red'), ['veth-red-br', 'veth-red-vnet0']],
    [bridge('vnet0'), bridge('vnet1'), ['veth-vnet0-vnet1']],
    [bridge('vnet0'), host, ['veth-vnet0-host']],
    [host, ns('red'), ['veth-red-host', 'veth-red-h']],
    [host, bridge('vnet0'), ['veth-host-vnet0']],
  ])('names the end on %j towards %j like the compiler', (self, other, expected) => {
    expect(ifnameCandidates(self, other)).toEqual(expected);
  });

  it('tells scheme names from names a user chose', () => {
    expect(isSchemeName('veth-red', ns('red'), ns('blue'))).toBe(true);
    expect(isSchemeName('veth-red-blue', ns('red'), ns('blue'))).toBe(true);
    expect(isSchemeName('veth-red-2', ns('red'), ns('blue'))).toBe(true);
    expect(isSchemeName('veth-red-br', bridge('vnet0'), ns('red'))).toBe(true);
    expect(isSchemeName('eth0', ns('red'), ns('blue'))).toBe(false);
    expect(isSchemeName('veth-blue', ns('red'), ns('blue'))).toBe(false);
    const long = ns('a-rather-long-namespace-name');
    expect(isSchemeName(fitIfName('veth-a-rather-long-namespace-name'), long, ns('x'))).toBe(true);
    expect(isSchemeName('veth-a-rather-long-namespace-name', long, ns('x'))).toBe(false);
  });

  it('shortens long names readably, without a hash, and says what a name was shortened from', () => {
    const id = 'redredredredredredre';
    expect(fitIfName(`veth-${id}`)).toBe('veth-redredredr');
    expect(fitIfName(`veth-${id}-br`)).toBe('veth-redredr-br');
    expect(fitIfName(`veth-${id}-host`)).toBe('veth-redre-host');
    expect(fitIfName(`veth-${id}-br-2`)).toBe('veth-redredre-2');
    expect(fitIfName('veth-a-rather-long-namespace-name')).toBe('veth-a-rat-name');
    expect(shortenedFrom('veth-redredr-br', bridge('vnet0'), ns(id))).toBe(`veth-${id}-br`);
    expect(shortenedFrom('veth-redredredr', ns(id), bridge('vnet0'))).toBe(`veth-${id}`);
    expect(shortenedFrom('veth-red-br', bridge('vnet0'), ns('red'))).toBeUndefined();
    expect(shortenedFrom('eth0', ns(id), bridge('vnet0'))).toBeUndefined();
  });
});

describe('names > InterfaceNames', () => {
  const base: TopologyInput = loadExample('02-bridge') as TopologyInput;

  /** What the compiler generates for a new link without names, and what InterfaceNames proposes for it. */
  function compare(doc: TopologyInput, from: string, to: string) {
    const parsed = TopologyDocument.parse(doc);
    const node = (id: string) => parsed.nodes.find((n) => n.id === id)!;
    const named = (id: string): NamedNode => {
      const n = node(id);
      return { kind: n.kind, name: n.kind === 'namespace' || n.kind === 'bridge' ? (n.name ?? n.id) : n.id };
    };
    const netns = (id: string) => (node(id).kind === 'namespace' ? named(id).name : null);
    const names = InterfaceNames.of(resolve(parsed));
    const proposed = [names.propose(netns(from), ifnameCandidates(named(from), named(to))), names.propose(netns(to), ifnameCandidates(named(to), named(from)))];
    const withLink = TopologyDocument.parse({ ...doc, links: [...(doc.links ?? []), { id: 'new', a: { node: from }, b: { node: to } }] });
    const generated = ['new.a', 'new.b'].map((key) => resolve(withLink).ifaces.find((i) => i.key === key)!.name);
    return { proposed, generated };
  }

  it.each<[string, string, string[]]>([
    ['red', 'blue', ['veth-red-blue', 'veth-blue-red']],
    // veth-red-br and veth-red-vnet0 are taken, so the numbered fallback
    ['red', 'vnet0', ['veth-red-vnet0', 'veth-red-br-1']],
    // veth-green-vnet0 is 16 bytes, so it is shortened with a hash
    ['vnet0', 'green', ['veth-green-vnet', 'veth-green-1']],
  ])('proposes for %s -> %s the names the compiler would generate (%j)', (from, to, expected) => {
    const { proposed, generated } = compare(base, from, to);
    expect(proposed).toEqual(generated);
    expect(proposed).toEqual(expected);
  });

  it('fits long names into 15 bytes as the compiler does', () => {
    const doc: TopologyInput = {
      version: 1,
      name: 't',
      nodes: [{ id: 'a-rather-long-namespace-name', kind: 'namespace' }, { id: 'another-long-namespace', kind: 'namespace' }, { id: 'vnet0', kind: 'bridge' }],
      links: [{ id: 'l', a: { node: 'a-rather-long-namespace-name' }, b: { node: 'vnet0' } }],
    };
    for (const [from, to] of [['a-rather-long-namespace-name', 'another-long-namespace'], ['another-long-namespace', 'vnet0']] as const) {
      const { proposed, generated } = compare(doc, from, to);
      expect(proposed).toEqual(generated);
      for (const name of proposed) expect(byteLength(name)).toBeLessThanOrEqual(15);
    }
  });

  it('keeps namespace-side names off the root namespace and root names off every namespace', () => {
    const names = new InterfaceNames();
    names.reserve('red', 'veth-red');
    names.reserve(null, 'vnet0');
    expect(names.isFree('blue', 'veth-red')).toBe(true);
    expect(names.isFree(null, 'veth-red')).toBe(false);
    expect(names.isFree('blue', 'vnet0')).toBe(false);
    expect(names.propose(null, ['veth-red'])).toBe('veth-red-1');
    expect(names.propose('red', ['veth-red'])).toBe('veth-red-2');
  });
});
