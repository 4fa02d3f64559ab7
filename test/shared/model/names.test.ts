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

  // The words issue 8 found lab.sh's ip commands misreading, each kept in the lists.
  it.each(['up', 'down', 'type', 'mtu', 'dev', 'br', 'name', 'master', 'netns', 'alias'])('refuses %s, a word ip was seen misreading', (name) => {
    expect(ipKeyword(name)).toBeDefined();
  });

  it.each(['red', 'vnet0', 'veth-red-br', 'bridge', 'uplink0', 'upstream', 'mtu9000', 'types', 'masters', ''])('lets %j through as a name', (name) => {
    expect(ipKeyword(name)).toBeUndefined();
  });

  it('keeps the kernel\'s own names apart from the keywords', () => {
    expect([...RESERVED_IFNAMES]).toEqual(['lo', 'all', 'default']);
  });
});
