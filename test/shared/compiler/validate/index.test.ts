import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
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

describe('the schema parse', () => {
  const inputs = [
    LAB,
    PAIR,
    patched(LAB, { 'nodes[3].routes[0].via': '10.0.0.300', 'links[1].a.addresses[0]': 'x', 'links[0].mtu': 1.5, 'nodes[2].bogus': 1 }),
    patched(PAIR, { 'nodes[1].kind': 'router', version: 2 }),
    patched(PAIR, { name: undefined, links: {} }),
    [1],
  ];

  it("gives the same results with zod's compiled fast path and without it (jitless, as the renderer runs), and evaluates no code when jitless", async () => {
    const compiled = inputs.map((input) => validate(input));
    expect(compiled.map((r) => r.ok)).toEqual([true, true, false, false, false, false]);
    // A fresh validator module, as the renderer's own bundle loads it after no-eval.ts.
    vi.resetModules();
    z.config({ jitless: true });
    const evaluate = vi.spyOn(globalThis, 'Function');
    try {
      const fresh = await import('../../../../src/shared/compiler/validate/index.js');
      const jitless = inputs.map((input) => fresh.validate(input));
      expect(evaluate).not.toHaveBeenCalled();
      expect(jitless).toEqual(compiled);
    } finally {
      evaluate.mockRestore();
      z.config({ jitless: false });
    }
  });
});

describe('validateText', () => {
  it('refuses text over 20 MB without parsing it', () => {
    const result = validateText(`"${'x'.repeat(21 * 1024 * 1024)}"`);
    expect(result).toEqual({ ok: false, problems: [{ severity: 'error', element: null, path: '', message: expect.stringContaining('at most 20 MB is accepted') }] });
  });
});
