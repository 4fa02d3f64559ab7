/**
 * IPv4/IPv6 address and prefix arithmetic for the topology model.
 * Pure and dependency-free so the validator, planner and probe planner share one truth.
 */

export type Family = 4 | 6;

/** A parsed interface address such as `192.168.15.1/24` or `fd00::1/64`. */
export interface Cidr {
  family: Family;
  /** The address as a big integer (32 or 128 bits). */
  value: bigint;
  prefix: number;
  /** The text the user wrote, normalised (lower case, canonical IPv4). */
  text: string;
}

/** Parses a bare IPv4 address in dotted-quad form (no leading zeros); returns undefined when it is not one. */
export function parseIpv4(text: string): bigint | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined; // leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46 && digits > 0) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      if (++dots > 4) return undefined;
    } else {
      return undefined;
    }
  }
  return dots === 4 ? BigInt(value) : undefined;
}

/** Parses a bare IPv6 address (with `::` compression, no zone, no embedded IPv4). */
export function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.length > 39) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * What `parse` makes of `text`, remembered in `cache`: a large lab writes the same gateways,
 * subnets and name servers thousands of times, and the schema, the validator and the planner each
 * read them. Results are shared: treat them as read-only. Past 200,000 texts the cache starts over.
 */
function remembered<T>(cache: Map<string, T | undefined>, text: string, parse: (text: string) => T | undefined): T | undefined {
  const known = cache.get(text);
  if (known !== undefined || cache.has(text)) return known;
  if (cache.size > 200_000) cache.clear();
  const parsed = parse(text);
  cache.set(text, parsed);
  return parsed;
}

const ipCache = new Map<string, { family: Family; value: bigint } | undefined>();

/** Parses a bare IPv4 or IPv6 address. Results are shared: treat them as read-only (remembered). */
export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  return remembered(ipCache, text, parseIpUncached);
}

function parseIpUncached(text: string): { family: Family; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

const cidrCache = new Map<string, Cidr | undefined>();

/** Parses `ADDRESS/PREFIX`; the prefix is mandatory so that the subnet is never guessed. Results are shared: treat them as read-only (remembered). */
export function parseCidr(text: string): Cidr | undefined {
  return remembered(cidrCache, text, parseCidrUncached);
}

function parseCidrUncached(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > bits(ip.family)) return undefined;
  return { ...ip, prefix, text: `${formatIp(ip.family, ip.value)}/${prefix}` };
}

/**
 * Why `text` is not a bare IP address, as the rest of a sentence that starts with the value
 * ("is ...", "has ..."): an IPv4 octet out of range, a leading zero, the wrong number of
 * octets. Undefined when it is an address.
 */
export function ipProblem(text: string): string | undefined {
  if (parseIp(text) !== undefined) return undefined;
  if (/^[0-9.]+$/.test(text)) {
    const octets = text.split('.');
    if (octets.length !== 4) return `has ${octets.length} ${octets.length === 1 ? 'part' : 'parts'}; an IPv4 address has 4 octets, like 192.168.15.1`;
    const empty = octets.findIndex((o) => o === '');
    if (empty >= 0) return `has an empty octet (number ${empty + 1}); an IPv4 address is 4 numbers from 0 to 255, like 192.168.15.1`;
    const big = octets.find((o) => o.length > 3 || Number(o) > 255);
    if (big !== undefined) return `has octet ${big}, which is out of range: each octet is 0 to 255`;
    const zero = octets.find((o) => o.length > 1 && o.startsWith('0'));
    if (zero !== undefined) return `has octet ${zero} with a leading zero; write ${Number(zero)}`;
  }
  const withPort = /^([0-9.]+):(\d+)$/.exec(text);
  if (withPort && parseIpv4(withPort[1]!) !== undefined) return `has a port (:${withPort[2]}); write the address alone, like ${withPort[1]}, and the port in its own field`;
  if (text.includes(':')) return 'is not an IPv6 address; write it like fd00::1 (hex groups of at most 4 digits, one "::" at most)';
  return 'is not an IP address; write it like 192.168.15.5';
}

/**
 * Why `text` is not `ADDRESS/PREFIX` (see ipProblem), or undefined when it is one: so that
 * `192.168.15.256/24` is reported as octet 256 out of range, not as a mystery.
 */
export function cidrProblem(text: string): string | undefined {
  if (parseCidr(text) !== undefined) return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const hint = parseIp(text) !== undefined ? `; add one, like ${text}/${text.includes(':') ? 64 : 24}` : '; write it like 192.168.15.1/24 or fd00::1/64';
    return `is not an address with a prefix length${hint}`;
  }
  const address = text.slice(0, slash);
  const problem = ipProblem(address);
  if (problem !== undefined) return problem.startsWith('is not an IP address') ? 'is not an address with a prefix length; write it like 192.168.15.1/24 or fd00::1/64' : problem;
  const ip = parseIp(address)!;
  const prefix = text.slice(slash + 1);
  if (!/^\d+$/.test(prefix)) return `has prefix length "/${prefix}", which is not a number; write it like ${address}/${ip.family === 4 ? 24 : 64}`;
  return `has prefix length /${prefix}, which is out of range: an IPv${ip.family} prefix is 0 to ${bits(ip.family)}`;
}

/** Number of bits in an address of the family. */
export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

function computeMask(family: Family, prefix: number): bigint {
  const width = BigInt(bits(family));
  const all = (1n << width) - 1n;
  return prefix === 0 ? 0n : (all << (width - BigInt(prefix))) & all;
}

/** Every netmask, computed once: the planner and the probe model ask for them per address and per route. */
const MASKS: Record<Family, bigint[]> = {
  4: Array.from({ length: 33 }, (_, p) => computeMask(4, p)),
  6: Array.from({ length: 129 }, (_, p) => computeMask(6, p)),
};

/** The netmask of a prefix length as a big integer. */
export function prefixMask(family: Family, prefix: number): bigint {
  return MASKS[family][prefix] ?? computeMask(family, prefix);
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(c: { family: Family; value: bigint; prefix: number }): bigint {
  return c.value & prefixMask(c.family, c.prefix);
}

/** `192.168.15.0/24` for `192.168.15.1/24`. */
export function subnetText(c: { family: Family; value: bigint; prefix: number }): string {
  return `${formatIp(c.family, networkOf(c))}/${c.prefix}`;
}

/** True when `address` lies inside the subnet of `c`. */
export function contains(c: { family: Family; value: bigint; prefix: number }, family: Family, address: bigint): boolean {
  return c.family === family && (address & prefixMask(family, c.prefix)) === networkOf(c);
}

/** True when two subnets share any address (one contains the other): 10.1.0.0/16 and 10.1.5.0/24. */
export function overlaps(x: { family: Family; value: bigint; prefix: number }, y: { family: Family; value: bigint; prefix: number }): boolean {
  return x.family === y.family && (contains(x, y.family, networkOf(y)) || contains(y, x.family, networkOf(x)));
}

/** One key per address, `4:3232239361`: what "the same address" means across families and spellings. */
export function ipKey(family: Family, value: bigint): string {
  // An IPv4 value is exact as a number, which is written out several times faster than a bigint.
  return family === 4 ? `4:${Number(value)}` : `6:${value}`;
}

/** Formats an address; IPv6 uses the RFC 5952 shortest form. */
export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** True for the network or (IPv4) broadcast address of a subnet shorter than /31, which no interface should own. */
export function isNetworkOrBroadcast(c: Pick<Cidr, 'family' | 'value' | 'prefix'>): boolean {
  if (c.family === 6) return c.prefix < 127 && c.value === networkOf(c);
  if (c.prefix >= 31) return false;
  // IPv4 in plain numbers: the host part is the remainder below 2^(32 - prefix).
  const size = 2 ** (32 - c.prefix);
  const host = Number(c.value) % size;
  return host === 0 || host === size - 1;
}
