import { describe, expect, it } from 'vitest';
import { flat } from '../../src/shared/flat.js';

describe('flat', () => {
  it('makes the same text as the template literal', () => {
    const name = 'red';
    const n = 12;
    expect(flat`veth pair ${name} (in ${name}) <-> ${`${name}-br`} (port ${n})`).toBe(`veth pair ${name} (in ${name}) <-> ${`${name}-br`} (port ${n})`);
    expect(flat`${name}`).toBe(name);
    expect(flat`plain`).toBe('plain');
    expect(flat`${''}${name}${''}`).toBe('red');
    expect(flat`a${0}b${-1.5}c`).toBe(`a${0}b${-1.5}c`);
  });
});
