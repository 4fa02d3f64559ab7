import { describe, expect, it } from 'vitest';
import { cidrProblem, contains, formatIp, ipProblem, ipKey, isNetworkOrBroadcast, overlaps, parseCidr, parseIp, subnetText } from '../../../src/shared/model/net.js';

describe('net', () => {
  it.each([
    ['192.168.15.1/24', '192.168.15.1/24', '192.168.15.0/24'],
    ['10.0.0.9/8', '10.0.0.9/8', '10.0.0.0/8'],
    ['fd00:15::1/64', 'fd00:15::1/64', 'fd00:15::/64'],
    ['FD00:0:0:0:0:0:0:1/64', 'fd00::1/64', 'fd00::/64'],
    ['2001:db8:0:0:1:0:0:1/48', '2001:db8::1:0:0:1/48', '2001:db8::/48'],
  ])('parses %s and knows its subnet', (text, normal, subnet) => {
    const c = parseCidr(text)!;
    expect(c.text).toBe(normal);
    expect(subnetText(c)).toBe(subnet);
  });

  it.each(['192.168.15.1', '192.168.15.256/24', '192.168.15.1/33', '1.2.3/8', '01.2.3.4/8', 'fd00::1/129', 'fd00:::1/64', '1:2:3:4:5:6:7:8:9/64', ' 10.0.0.1/8', 'red;reboot/24'])(
    'rejects %s',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it('tells whether an address is inside a subnet', () => {
    const c = parseCidr('192.168.15.5/24')!;
    expect(contains(c, 4, parseIp('192.168.15.200')!.value)).toBe(true);
    expect(contains(c, 4, parseIp('192.168.16.1')!.value)).toBe(false);
    expect(contains(c, 6, parseIp('::1')!.value)).toBe(false);
  });

  it('formats IPv6 in the shortest form, compressing the longest zero run', () => {
    expect(formatIp(6, parseIp('2001:db8:0:0:1:0:0:1')!.value)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(6, parseIp('::')!.value)).toBe('::');
    expect(formatIp(6, parseIp('fe80::1:0')!.value)).toBe('fe80::1:0');
  });

  it.each([
    ['192.168.15.0/24', true],
    ['192.168.15.255/24', true],
    ['192.168.15.1/24', false],
    ['10.0.0.0/31', false],
    ['fd00::/64', true],
    ['fd00::1/64', false],
  ])('%s is a network or broadcast address: %s', (text, expected) => {
    expect(isNetworkOrBroadcast(parseCidr(text)!)).toBe(expected);
  });

  it('tells network and broadcast addresses at every IPv4 prefix length, by the bits of the address', () => {
    for (let prefix = 0; prefix <= 32; prefix++) {
      const hostBits = 32 - prefix;
      const network = 0xc0a80f00 - (0xc0a80f00 % 2 ** hostBits);
      const samples = [0, 1, 2 ** hostBits - 1, 2 ** hostBits - 2].filter((h) => h >= 0 && h < 2 ** hostBits);
      for (const base of [0, network, 0xffffffff - (2 ** hostBits - 1)]) {
        for (const h of samples) {
          const value = base + h;
          const text = `${formatIp(4, BigInt(value))}/${prefix}`;
          const expected = prefix < 31 && (h === 0 || h === 2 ** hostBits - 1);
          expect([text, isNetworkOrBroadcast(parseCidr(text)!)]).toEqual([text, expected]);
        }
      }
    }
  });

  it.each([
    ['10.1.0.0/16', '10.1.5.0/24', true],
    ['10.1.5.0/24', '10.1.0.0/16', true],
    ['10.1.0.1/24', '10.1.0.200/24', true],
    ['10.1.0.0/24', '10.1.1.0/24', false],
    ['0.0.0.0/0', '192.168.15.0/24', true],
    ['fd00:1::/48', 'fd00:1:0:5::/64', true],
    ['fd00:1::/64', 'fd00:2::/64', false],
    ['10.0.0.0/8', '::/0', false],
  ])('%s and %s overlap: %s', (x, y, expected) => {
    expect(overlaps(parseCidr(x)!, parseCidr(y)!)).toBe(expected);
  });

  it('keys an address by family and value, so spellings agree and families do not collide', () => {
    const a = parseIp('fd00:0:0::1')!;
    const b = parseIp('FD00::1')!;
    expect(ipKey(a.family, a.value)).toBe(ipKey(b.family, b.value));
    expect(ipKey(4, 1n)).not.toBe(ipKey(6, 1n));
  });

  it('writes a key as the family and the decimal value, for the lowest and highest address of each family', () => {
    expect(ipKey(4, parseIp('0.0.0.0')!.value)).toBe('4:0');
    expect(ipKey(4, parseIp('255.255.255.255')!.value)).toBe('4:4294967295');
    expect(ipKey(6, parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!.value)).toBe(`6:${2n ** 128n - 1n}`);
  });

  it('parses an address the same way each time it is asked again', () => {
    for (const text of ['10.0.0.1', 'fd00::1', '10.0.0.256', 'x']) expect(parseIp(text)).toEqual(parseIp(text));
    expect(parseIp('10.0.0.1')).toEqual({ family: 4, value: 167772161n });
    expect(parseIp('10.0.0.256')).toBeUndefined();
  });

  it.each([
    ['192.168.15.256/24', 'has octet 256, which is out of range: each octet is 0 to 255'],
    ['192.168.15.1000/24', 'has octet 1000, which is out of range'],
    ['192.168.015.1/24', 'has octet 015 with a leading zero; write 15'],
    ['192.168.15/24', 'has 3 parts; an IPv4 address has 4 octets'],
    ['192.168..1/24', 'has an empty octet (number 3)'],
    ['192.168.15.1/33', 'has prefix length /33, which is out of range: an IPv4 prefix is 0 to 32'],
    ['fd00::1/129', 'has prefix length /129, which is out of range: an IPv6 prefix is 0 to 128'],
    ['192.168.15.1/x', 'has prefix length "/x", which is not a number; write it like 192.168.15.1/24'],
    ['192.168.15.1', 'is not an address with a prefix length; add one, like 192.168.15.1/24'],
    ['fd00::g/64', 'is not an IPv6 address'],
    ['192.168.15.2:80/24', 'has a port (:80); write the address alone, like 192.168.15.2'],
    ['red/24', 'is not an address with a prefix length; write it like 192.168.15.1/24'],
  ])('says why %s is not an address with a prefix length', (text, reason) => {
    expect(cidrProblem(text)).toContain(reason);
  });

  it('has no problem with an address, and names the octet of a bare address too', () => {
    for (const ok of ['192.168.15.1/24', 'fd00::1/64', '0.0.0.0/0']) expect(cidrProblem(ok)).toBeUndefined();
    expect(ipProblem('192.168.15.5')).toBeUndefined();
    expect(ipProblem('10.0.300.1')).toBe('has octet 300, which is out of range: each octet is 0 to 255');
    expect(ipProblem('example.com')).toBe('is not an IP address; write it like 192.168.15.5');
  });
});
