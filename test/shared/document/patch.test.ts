import { describe, expect, it } from 'vitest';
import { sameValue, shallowPatch } from '../../../src/shared/document/patch.js';

describe('patch', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true],
    [1, 2, false],
    [NaN, NaN, true],
    ['a', 'a', true],
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, 2], [1, 2, 3], false],
    [[], {}, false],
    [null, {}, false],
  ])('compares %j and %j as %s', (x, y, expected) => {
    expect(sameValue(x, y)).toBe(expected);
    expect(sameValue(y, x)).toBe(expected);
  });

  it('returns the target itself when the patch changes nothing', () => {
    const target = { id: 'red', position: { x: 1, y: 2 } };
    expect(shallowPatch(target, { id: 'red', position: { x: 1, y: 2 }, notes: undefined })).toBe(target);
  });

  it('sets keys, removes keys patched to undefined, and leaves the target alone', () => {
    const target = Object.freeze({ id: 'red', notes: 'old', router: false });
    const out = shallowPatch(target, { notes: undefined, router: true, dns: ['1.1.1.1'] });
    expect(out).toEqual({ id: 'red', router: true, dns: ['1.1.1.1'] });
    expect(target).toEqual({ id: 'red', notes: 'old', router: false });
  });

  it('never copies __proto__ from a patch', () => {
    const out = shallowPatch({ id: 'red' }, JSON.parse('{"__proto__": {"polluted": true}, "notes": "x"}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as Record<string, unknown>).polluted).toBeUndefined();
  });
});
