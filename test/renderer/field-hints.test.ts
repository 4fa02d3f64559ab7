import { describe, expect, it } from 'vitest';
import { asIdHint, endAddressHint, noneHint } from '../../src/renderer/state/field-hints.js';
import { loadExample } from '../support/examples.js';
import type { Doc } from '../../src/shared/document/commands.js';

describe('field-hints', () => {
  it('says "none" before an example, and what an empty name stands for', () => {
    expect(noneHint('1.1.1.1')).toBe('none; e.g. 1.1.1.1');
    expect(asIdHint('red')).toBe('as the id (red)');
  });

  it.each([
    ['bridge', 'namespace', 'none: a bridge port has no address'],
    ['host', 'internet', "none: the uplink keeps the host's own address"],
    ['internet', 'host', "none: the uplink keeps the host's own address"],
  ] as const)('hints the addresses of an end on a %s towards a %s', (self, other, hint) => {
    expect(endAddressHint(self, other)).toBe(hint);
  });

  it("never offers an address of the tutorial's drawings as the example", () => {
    const hint = endAddressHint('namespace', 'bridge');
    expect(hint).toMatch(/^none; e\.g\. /);
    for (const name of ['01-veth-pair', '02-bridge', '03-host-bridge', '04-nat', '05-port-forward', '06-router']) {
      const doc = loadExample(name) as Doc;
      for (const l of doc.links ?? []) for (const a of [...(l.a.addresses ?? []), ...(l.b.addresses ?? [])]) expect(hint).not.toContain(a);
    }
  });
});
