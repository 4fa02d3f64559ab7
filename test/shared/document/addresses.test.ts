import { describe, expect, it } from 'vitest';
import { isNetworkOrBroadcast, parseCidr } from '../../../src/shared/model/net.js';
import { AddressBook, addressString, hostRange, subnetOf, subnetString, type Subnet } from '../../../src/shared/document/addresses.js';
import { resolveDocument } from '../../../src/shared/document/view.js';
import { loadExample } from '../../support/examples.js';
import type { TopologyInput } from '../../../src/shared/model/topology.js';

const subnet = (text: string): Subnet => subnetOf(parseCidr(text)!);

function bookWith(...cidrs: string[]): AddressBook {
  const book = new AddressBook();
  for (const c of cidrs) book.claimAddress(parseCidr(c)!);
  return book;
}

describe('addresses', () => {
  it.each<[string[], string[]]>([
    [[], ['192.168.15.0/24', '192.168.16.0/24']],
    [['192.168.15.1/24'], ['192.168.16.0/24', '192.168.17.0/24']],
    [['192.168.16.9/24'], ['192.168.15.0/24', '192.168.17.0/24']],
    [['192.168.15.1/30'], ['192.168.16.0/24', '192.168.17.0/24']],
    [['192.168.0.1/16'], ['10.0.0.0/24', '10.0.1.0/24']],
    [['192.168.0.1/16', '10.0.0.1/8'], []],
  ])('hands out fresh /24s in the tutorial order around %j', (used, expected) => {
    const book = bookWith(...used);
    const got = [book.freshSubnet24(), book.freshSubnet24()].filter((s): s is Subnet => s !== undefined).map(subnetString);
    expect(got).toEqual(expected);
  });

  it('wraps to 192.168.0-14 after 192.168.255', () => {
    const book = new AddressBook();
    for (let c = 15; c <= 255; c++) book.claimSubnet(subnet(`192.168.${c}.0/24`));
    expect(subnetString(book.freshSubnet24()!)).toBe('192.168.0.0/24');
  });

  it.each<[string, string[], number | undefined, string | undefined]>([
    ['192.168.15.0/24', [], undefined, '192.168.15.1/24'],
    ['192.168.15.0/24', ['192.168.15.1/24', '192.168.15.2/24'], undefined, '192.168.15.3/24'],
    ['192.168.15.0/24', ['192.168.15.5/24'], 5, '192.168.15.1/24'],
    ['192.168.15.0/24', [], 5, '192.168.15.5/24'],
    ['192.168.15.0/30', ['192.168.15.1/30', '192.168.15.2/30'], undefined, undefined],
    ['192.168.15.0/30', [], 5, '192.168.15.1/30'],
    ['10.0.0.0/31', [], undefined, '10.0.0.0/31'],
    ['fd00:15::/64', [], undefined, 'fd00:15::1/64'],
    ['fd00:15::/64', ['fd00:15::1/64'], undefined, 'fd00:15::2/64'],
  ])('in %s with %j used (preferring %s) picks %s', (net, used, preferred, expected) => {
    const book = bookWith(...used);
    const s = subnet(net);
    const value = book.nextFree(s, preferred);
    expect(value === undefined ? undefined : addressString(s, value)).toBe(expected);
  });

  it('never hands out the same address twice', () => {
    const book = new AddressBook();
    const s = subnet('192.168.15.0/29');
    const got = Array.from({ length: 7 }, () => book.nextFree(s));
    expect(got.map((v) => (v === undefined ? '-' : addressString(s, v)))).toEqual([...[1, 2, 3, 4, 5, 6].map((h) => `192.168.15.${h}/29`), '-']);
  });

  it('gives the usable range without network and broadcast', () => {
    expect(hostRange(subnet('10.0.0.0/24'))).toEqual({ first: 0x0a000001n, last: 0x0a0000fen });
    expect(hostRange(subnet('10.0.0.0/32'))).toEqual({ first: 0x0a000000n, last: 0x0a000000n });
    expect(hostRange(subnet('10.0.0.0/31'))).toEqual({ first: 0x0a000000n, last: 0x0a000001n });
    expect(hostRange(subnet('fd00::/64'))).toEqual({ first: 0xfd00n << 112n | 1n, last: (0xfd00n << 112n) | 0xffffffffffffffffn });
    expect(hostRange(subnet('fd00::/127'))).toEqual({ first: 0xfd00n << 112n, last: (0xfd00n << 112n) | 1n });
  });

  it.each(['10.0.0.0/24', '10.0.0.0/30', '10.0.0.0/31', '10.0.0.7/32', 'fd00::/64', 'fd00::/126', 'fd00::/127', 'fd00::1/128'])(
    '%s: the range the editor proposes from is what validation accepts, and not one address more',
    (text) => {
      const s = subnet(text);
      const { first, last } = hostRange(s);
      const refused = (value: bigint) => isNetworkOrBroadcast({ family: s.family, value, prefix: s.prefix });
      expect(refused(first)).toBe(false);
      expect(refused(last)).toBe(false);
      if (first > s.network) expect(refused(first - 1n)).toBe(true);
      const end = s.network + (1n << BigInt((s.family === 4 ? 32 : 128) - s.prefix)) - 1n;
      if (last < end) expect(refused(last + 1n)).toBe(true);
    },
  );

  it.each<[string, string[], string]>([
    ['192.168.15.0/24', [], '192.168.15.0/24'],
    ['192.168.15.0/24', ['192.168.15.5/24'], '192.168.16.0/24'],
    ['10.1.0.0/16', ['10.1.2.3/24'], '10.2.0.0/16'],
    ['fd00:15::/64', ['fd00:15::1/64'], 'fd00:15:0:1::/64'],
  ])('relocates %s away from %j to %s', (from, used, expected) => {
    expect(subnetString(bookWith(...used).relocate(subnet(from))!)).toBe(expected);
  });

  it('tells overlapping subnets of any size apart', () => {
    const book = bookWith('10.1.2.3/24', 'fd00::1/64');
    expect(book.overlapsUsed(subnet('10.0.0.0/8'))).toBe(true);
    expect(book.overlapsUsed(subnet('10.1.2.128/25'))).toBe(true);
    expect(book.overlapsUsed(subnet('10.1.3.0/24'))).toBe(false);
    expect(book.overlapsUsed(subnet('10.1.0.0/23'))).toBe(false);
    expect(book.overlapsUsed(subnet('fd00::/16'))).toBe(true);
    expect(book.overlapsUsed(subnet('fd01::/64'))).toBe(false);
  });

  it('counts every address, masquerade source and route destination of a document as used', () => {
    const doc = loadExample('05-port-forward') as TopologyInput;
    const lab = { ...doc, nodes: [...doc.nodes!, { id: 'x', kind: 'namespace' as const, routes: [{ to: '10.9.0.0/16', dev: 'eth0' }] }] };
    const book = AddressBook.of(lab, resolveDocument(lab));
    for (const a of ['192.168.15.1', '192.168.15.2', '192.168.15.5']) expect(book.isUsed(4, parseCidr(`${a}/32`)!.value)).toBe(true);
    expect(book.overlapsUsed(subnet('192.168.15.0/24'))).toBe(true);
    expect(book.overlapsUsed(subnet('10.9.1.0/24'))).toBe(true);
    expect(subnetString(book.freshSubnet24()!)).toBe('192.168.16.0/24');
  });
});
