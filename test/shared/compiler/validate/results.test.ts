import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS, validate } from '../../../../src/shared/compiler/validate/index.js';
import { LAB, patched } from './cases.js';

describe('validate results', () => {
  it('lists errors first, then by path with numeric indices', () => {
    const result = validate(
      patched(LAB, {
        'nat.masquerade[0].out': 'wlan0',
        'links[3]': { id: 'l3', a: { node: 'red' }, b: { node: 'x3' } },
        'links[10]': { id: 'l10', a: { node: 'red' }, b: { node: 'x10' } },
        ...Object.fromEntries([4, 5, 6, 7, 8, 9].map((i) => [`links[${i}]`, { id: `l${i}`, a: { node: 'red' }, b: { node: 'red' } }])),
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([...[3, 4, 5, 6, 7, 8, 9].map((i) => `links[${i}].b.node`), 'links[10].b.node', 'nat.masquerade[0].out']);
    expect(result.problems.at(-1)?.severity).toBe('warning');
  });

  it('caps the list of problems', () => {
    const nodes = Array.from({ length: MAX_PROBLEMS + 10 }, (_, i) => ({ id: `bad id ${i}`, kind: 'namespace' }));
    const result = validate({ version: 1, name: 'many', nodes });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems.at(-1)).toEqual({ severity: 'error', element: null, path: '', message: '10 more problems are not listed; fix the ones above first' });
  });
});
