import { describe, expect, it } from 'vitest';
import { formatProblem, type Problem } from '../../../src/shared/compiler/problems.js';

const p = (element: string | null, path: string): Problem => ({ severity: 'error', element, path, message: 'fix it' });

describe('problems', () => {
  it.each([
    [p('red-blue', 'links[0].b.addresses[0]'), 'lab.json: red-blue.b.addresses[0]: error: fix it'],
    [p('masq', 'nat.masquerade[3].out'), 'lab.json: masq.out: error: fix it'],
    [p('red', 'nodes[2]'), 'lab.json: red: error: fix it'],
    [p(null, 'version'), 'lab.json: version: error: fix it'],
    [p(null, ''), 'lab.json: document: error: fix it'],
  ])('formats %j as file: element.field: severity: message', (problem, text) => {
    expect(formatProblem(problem, 'lab.json')).toBe(text);
  });
});
