import { describe, expect, it } from 'vitest';
import { compile } from '../../../../src/shared/compiler/index.js';
import { CommandError, emptyDocument, perform, type Doc, type NodeInput } from '../../../../src/shared/document/commands.js';
import { add, at, deepFreeze, example, problems, run, thrown } from './support.js';

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
