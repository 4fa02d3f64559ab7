import { describe, expect, it } from 'vitest';
import { perform, type Doc } from '../../../../src/shared/document/commands.js';
import { at, deepFreeze, example, node, run } from './support.js';

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
