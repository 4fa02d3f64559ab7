import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/shared/compiler/problems.js';
import { keepSameProblems } from '../../src/renderer/state/problems.js';

const dns = (id: string): Problem => ({
  severity: 'warning',
  element: id,
  path: 'nodes[0].dns',
  message: `${id} reaches the outside but has no DNS server`,
  fix: { label: 'add 1.1.1.1', command: { type: 'updateNode', id, patch: { dns: ['1.1.1.1'] } } },
});

describe('problems state', () => {
  it('keeps the previous list when a recompile finds the same problems', () => {
    const previous = [dns('red'), dns('blue')];
    expect(keepSameProblems(previous, [dns('red'), dns('blue')])).toBe(previous);
    const none: Problem[] = [];
    expect(keepSameProblems(none, [])).toBe(none);
  });

  it('takes the new list when a problem came, went, moved or changed', () => {
    const previous = [dns('red'), dns('blue')];
    for (const next of [[dns('red')], [dns('red'), dns('blue'), dns('green')], [dns('blue'), dns('red')], [dns('red'), { ...dns('blue'), severity: 'error' as const }]]) {
      expect(keepSameProblems(previous, next)).toBe(next);
    }
  });
});
