import { describe, expect, it } from 'vitest';
import { validate, validateText } from '../../../../src/shared/compiler/validate/index.js';
import { readExamples } from '../../../../src/main/package-paths.js';
import { LAB, PAIR, check, patched } from './cases.js';

describe('validate', () => {
  it('accepts the NAT lab used by these tests without problems', () => {
    check(LAB, []);
    check(PAIR, []);
  });

  it('accepts every bundled example with no errors and no warnings', () => {
    const examples = readExamples();
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const { id, text } of examples) {
      const result = validateText(text);
      expect({ id, problems: result.ok ? result.warnings : result.problems }).toEqual({ id, problems: [] });
    }
  });

  it('returns the parsed document with defaults and the resolved view when valid', () => {
    const result = validate(PAIR);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.doc.nat).toEqual({ masquerade: [], portForwards: [] });
    expect(result.resolved.ifaces.map((i) => i.name)).toEqual(['veth-red', 'veth-blue']);
  });

  it('ignores notes and positions', () => {
    check(patched(LAB, { 'notes[0].text': '$(reboot); rm -rf /', 'notes[0].position': { x: -1e9, y: 1e9 }, 'nodes[3].position': { x: 0.5, y: -3 }, 'nodes[3].notes': '`id`' }), []);
  });
});

describe('validateText', () => {
  it('refuses text over 20 MB without parsing it', () => {
    const result = validateText(`"${'x'.repeat(21 * 1024 * 1024)}"`);
    expect(result).toEqual({ ok: false, problems: [{ severity: 'error', element: null, path: '', message: expect.stringContaining('at most 20 MB is accepted') }] });
  });
});
