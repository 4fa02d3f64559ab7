import { describe, expect, it } from 'vitest';
import { ipKeyword, RESERVED_IFNAMES } from '../../../src/shared/model/names.js';

describe('names', () => {
  it.each([
    ['up', 'up'],
    ['dev', 'dev'],
    ['type', 'type'],
    ['ty', 'type'],
    ['br', 'broadcast'],
    ['a', 'address'],
    ['m', 'master'],
    ['master', 'master'],
    ['link', 'link-netnsid'],
    ['txq', 'txqlen'],
  ])('reads %s as the ip keyword %s', (name, keyword) => {
    expect(ipKeyword(name)).toBe(keyword);
  });

  it.each(['red', 'vnet0', 'veth-red-br', 'bridge', 'uplink0', 'upstream', 'mtu9000', 'types', 'masters', ''])('lets %j through as a name', (name) => {
    expect(ipKeyword(name)).toBeUndefined();
  });

  it('keeps the kernel\'s own names apart from the keywords', () => {
    expect([...RESERVED_IFNAMES]).toEqual(['lo', 'all', 'default']);
  });
});
