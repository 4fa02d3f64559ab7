/**
 * OpenSSH known_hosts: parse entries (plain names, comma lists, `[host]:port`, hashed
 * `|1|salt|hash`), decide whether a presented host key is known, unknown or changed, and
 * print fingerprints the way `ssh` does. No sockets: the connection asks this module.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** Host patterns as written (plain), or the hashed form. */
  hosts: string[];
  keyType: string;
  key: Buffer;
  marker?: '@revoked' | '@cert-authority';
  /** Where the entry was read: the file (when the caller named it) and its 1-based line. */
  source?: { file?: string; line: number };
}

/** How a presented key relates to what is known about the host. */
export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

/** Parses known_hosts text (read from `file`, when given); lines it cannot read are skipped, as ssh does. */
export function parseKnownHosts(text: string, file?: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (words[0] === '@revoked' || words[0] === '@cert-authority') marker = words.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, key] = words;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) continue;
    const source = { ...(file !== undefined ? { file } : {}), line: index + 1 };
    entries.push({ hosts: hosts.split(','), keyType, key: Buffer.from(key, 'base64'), ...(marker ? { marker } : {}), source });
  }
  return entries;
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (pattern.startsWith('!')) return false;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

function matchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.some((p) => p.startsWith('!') && matchesPattern(p.slice(1), name))) return false;
  return entry.hosts.some((p) => matchesPattern(p, name));
}

/** The key type inside an SSH wire-format public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

/** Checks a presented key against the entries for host:port; `offending` are the entries that refuse it. */
export function findHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): { status: HostKeyStatus; offending: KnownHostEntry[] } {
  const name = hostLookupName(host, port);
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && matchesHost(e, name));
  const revoked = forHost.filter((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked.length > 0) return { status: 'revoked', offending: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(key))) return { status: 'known', offending: [] };
  // A key of another type is not a change: the host may have several keys.
  const type = keyTypeOf(key);
  const changed = plain.filter((e) => e.keyType === type);
  return changed.length > 0 ? { status: 'changed', offending: changed } : { status: 'unknown', offending: [] };
}

/** Checks a presented key against the entries for host:port. */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyStatus {
  return findHostKey(entries, host, port, key).status;
}

/**
 * A host key that is trusted by another record than known_hosts: the local sandbox lab host's
 * own `lab.json`. When present it alone decides; known_hosts is not consulted (every sandbox lab
 * host answers on the same address with a key of its own).
 */
export interface PinnedHostKey {
  key: Buffer;
  /** What holds the key, for messages (the lab.json path). */
  source: string;
  /** What to do when the key does not match, e.g. "rebuild it: nsd lab down; nsd lab up". */
  fix: string;
}

/** What to do with a presented host key. */
export type HostKeyVerdict =
  | { decision: 'trust'; by: 'known_hosts' | 'pinned' }
  | { decision: 'ask' }
  | { decision: 'refuse'; status: 'changed' | 'revoked'; message: string };

function where(entry: KnownHostEntry): string {
  const line = entry.source?.line ?? 0;
  return entry.source?.file !== undefined ? `${entry.source.file}:${line}` : `known_hosts line ${line}`;
}

/**
 * Decides about a presented host key, as OpenSSH does: a pinned key must match exactly; else a
 * key known_hosts lists is trusted, an unknown one needs the user's yes, and a changed or revoked
 * one is refused with the file and line of the offending entry ("Offending key in FILE:LINE").
 */
export function hostKeyVerdict(input: { entries: readonly KnownHostEntry[]; host: string; port: number; key: Buffer; pinned?: PinnedHostKey }): HostKeyVerdict {
  const { host, port, key, pinned } = input;
  const print = fingerprint(key);
  if (pinned !== undefined) {
    if (pinned.key.equals(key)) return { decision: 'trust', by: 'pinned' };
    return {
      decision: 'refuse',
      status: 'changed',
      message: `the host key of ${host}:${port} is ${print}, not the ${fingerprint(pinned.key)} that ${pinned.source} records; refusing to connect. ${pinned.fix}`,
    };
  }
  const { status, offending } = findHostKey(input.entries, host, port, key);
  if (status === 'known') return { decision: 'trust', by: 'known_hosts' };
  if (status === 'unknown') return { decision: 'ask' };
  const lines = offending.map(where).join(', ');
  const name = hostLookupName(host, port);
  const files = [...new Set(offending.map((e) => e.source?.file).filter((f): f is string => f !== undefined))];
  const remove = files.length > 0 ? ` (${files.map((f) => `ssh-keygen -R '${name}' -f ${f}`).join('; ')})` : '';
  if (status === 'revoked') {
    return { decision: 'refuse', status, message: `the host key of ${host}:${port} (${print}) has been revoked; refusing to connect. Revoked key in ${lines}.` };
  }
  return {
    decision: 'refuse',
    status,
    message: `the host key of ${host}:${port} has CHANGED (now ${print}); someone may be intercepting the connection, or the host was reinstalled. Refusing to connect. Offending key in ${lines}: remove it${remove} only if you know why the key changed.`,
  };
}

/** `SHA256:...` as OpenSSH prints it (base64 without padding). */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A known_hosts line for a trusted key. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostLookupName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
}
