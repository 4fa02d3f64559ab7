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
}

/** How a presented key relates to what is known about the host. */
export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

/** Parses known_hosts text; lines it cannot read are skipped, as ssh does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (words[0] === '@revoked' || words[0] === '@cert-authority') marker = words.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, key] = words;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) continue;
    entries.push({ hosts: hosts.split(','), keyType, key: Buffer.from(key, 'base64'), ...(marker ? { marker } : {}) });
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

/** Checks a presented key against the entries for host:port. */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyStatus {
  const name = hostLookupName(host, port);
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && matchesHost(e, name));
  if (forHost.some((e) => e.marker === '@revoked' && e.key.equals(key))) return 'revoked';
  const plain = forHost.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(key))) return 'known';
  // A key of another type is not a change: the host may have several keys.
  const type = keyTypeOf(key);
  return plain.some((e) => e.keyType === type) ? 'changed' : 'unknown';
}

/** `SHA256:...` as OpenSSH prints it (base64 without padding). */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A known_hosts line for a trusted key. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostLookupName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
}
