import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/shared/compiler/validate/index.js';
import { compile, formatProblem } from '../../../src/shared/compiler/index.js';
import { CommandError, copySelection, emptyDocument, perform, type Doc, type EditorCommand } from '../../../src/shared/document/commands.js';
import { add, at, connect, errors, example, link, node, problems, run, tutorialBridgeLab } from './commands/support.js';

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
      'make ip link add vnet0 type bridge',
      'make ip link add veth-red netns red type veth peer name veth-red-br',
      'make ip link add veth-blue netns blue type veth peer name veth-blue-br',
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

describe('commands > copySelection', () => {
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
