import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validate, validateText } from '../../../../src/shared/compiler/validate/index.js';
import { LAB, PAIR, check, patched } from './cases.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../../assets/examples/', import.meta.url));

describe('validate', () => {
  it('accepts the NAT lab used by these tests without problems', () => {
    check(LAB, []);
    check(PAIR, []);
  });

  it('accepts every bundled example with no errors and no warnings', () => {
    const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const result = validateText(readFileSync(`${EXAMPLES_DIR}/${file}`, 'utf8'));
      expect({ file, problems: result.ok ? result.warnings : result.problems }).toEqual({ file, problems: [] });
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
