import { describe, expect, it } from 'vitest';
import { nextServiceId } from '../../src/renderer/panels/ServicesFields.js';

describe('services fields', () => {
  it('proposes web, then web2, web3, ... for a new service: an id the node has not used yet', () => {
    expect(nextServiceId([])).toBe('web');
    expect(nextServiceId([{ id: 'web', command: 'x' }])).toBe('web2');
    expect(nextServiceId([{ id: 'web', command: 'x' }, { id: 'web2', command: 'y' }, { id: 'web4', command: 'z' }])).toBe('web3');
    expect(nextServiceId([{ id: 'db', command: 'x' }])).toBe('web');
  });
});
