import { describe, expect, it } from 'vitest';
import { searchNodes } from '../../src/renderer/canvas/search.js';

const nodes = [
  { id: 'ns7', terms: ['ns7', '10.0.0.8/24', '10.0.0.8'] },
  { id: 'ns73', terms: ['ns73', '10.0.0.74/24', '10.0.0.74'] },
  { id: 'web', terms: ['web', 'www-ns7', '10.0.1.7/24', '10.0.1.7'] },
];

describe('canvas search', () => {
  it.each<[string, string[]]>([
    ['ns73', ['ns73']],
    ['NS7', ['ns7', 'ns73', 'web']],
    ['10.0.0.74', ['ns73']],
    ['10.0.0.74/24', ['ns73']],
    ['10.0.0.7', ['ns73']],
    ['0.1.7', ['web']],
    ['  web ', ['web']],
    ['', []],
    ['nothing', []],
  ])('finds %j: %j (exact, then prefix, then contained; ties in drawing order)', (query, expected) => {
    expect(searchNodes(nodes, query)).toEqual(expected);
  });
});
