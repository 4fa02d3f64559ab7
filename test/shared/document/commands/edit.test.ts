import { describe, expect, it } from 'vitest';
import { emptyDocument, perform, type Doc } from '../../../../src/shared/document/commands.js';
import { deepFreeze, example, link, node, problems, run, thrown, tutorialBridgeLab } from './support.js';

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
