import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHostKey, fingerprint, hostKeyVerdict, knownHostsLine, parseKnownHosts } from '../../../src/main/ssh/known-hosts.js';
import { hasTool, skipUnless } from '../../support/tools.js';

const skip = skipUnless('the known_hosts tests with real ssh-keygen keys', { 'ssh-keygen': hasTool('ssh-keygen') });

function newKey(dir: string, name: string, type = 'ed25519'): { blob: Buffer; pub: string; path: string } {
  const path = join(dir, name);
  spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  return { blob: Buffer.from(pub.split(' ')[1]!, 'base64'), pub, path };
}

describe.skipIf(skip)('known-hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsd-kh-'));
  const a = newKey(dir, 'a');
  const b = newKey(dir, 'b');
  const rsa = newKey(dir, 'r', 'rsa');
  const [type, base64] = a.pub.split(' ');

  it.each([
    ['a plain name', `lab.example ${type} ${base64}`, 'lab.example', 22, 'known'],
    ['a comma list', `other,lab.example,10.0.0.1 ${type} ${base64}`, '10.0.0.1', 22, 'known'],
    ['a port entry', `[lab.example]:2222 ${type} ${base64}`, 'lab.example', 2222, 'known'],
    ['a port entry asked on port 22', `[lab.example]:2222 ${type} ${base64}`, 'lab.example', 22, 'unknown'],
    ['a wildcard', `*.example ${type} ${base64}`, 'lab.example', 22, 'known'],
    ['a negated wildcard', `*.example,!lab.example ${type} ${base64}`, 'lab.example', 22, 'unknown'],
    ['a revoked key', `@revoked lab.example ${type} ${base64}`, 'lab.example', 22, 'revoked'],
    ['nothing for the host', `elsewhere ${type} ${base64}`, 'lab.example', 22, 'unknown'],
  ])('finds %s', (_what, line, host, port, status) => {
    expect(checkHostKey(parseKnownHosts(`# comment\n\n${line}\n`), host, port as number, a.blob)).toBe(status);
  });

  it('calls another key of the same type a change, and a key of another type unknown', () => {
    const entries = parseKnownHosts(`lab.example ${b.pub.split(' ').slice(0, 2).join(' ')}\n`);
    expect(checkHostKey(entries, 'lab.example', 22, a.blob)).toBe('changed');
    expect(checkHostKey(entries, 'lab.example', 22, rsa.blob)).toBe('unknown');
  });

  it('matches entries hashed by ssh-keygen -H, with and without a port', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `lab.example ${type} ${base64}\n[lab.example]:2222 ${type} ${base64}\n`);
    expect(spawnSync('ssh-keygen', ['-H', '-f', file]).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('lab.example');
    const entries = parseKnownHosts(text);
    expect(checkHostKey(entries, 'lab.example', 22, a.blob)).toBe('known');
    expect(checkHostKey(entries, 'lab.example', 2222, a.blob)).toBe('known');
    expect(checkHostKey(entries, 'lab.example', 2223, a.blob)).toBe('unknown');
    expect(checkHostKey(entries, 'lab.example', 22, b.blob)).toBe('changed');
  });

  it('prints the fingerprint exactly as ssh-keygen -l does, and writes a line it can read back', () => {
    const printed = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${a.path}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(fingerprint(a.blob)).toBe(printed);
    const line = knownHostsLine('10.0.0.7', 2200, a.blob);
    expect(line).toBe(`[10.0.0.7]:2200 ${type} ${base64}\n`);
    expect(checkHostKey(parseKnownHosts(line), '10.0.0.7', 2200, a.blob)).toBe('known');
  });

  describe('hostKeyVerdict', () => {
    const bLine = `lab.example ${b.pub.split(' ').slice(0, 2).join(' ')}`;
    const aLine = `lab.example ${type} ${base64}`;
    const entries = [...parseKnownHosts(`# mine\n${aLine}\n`, '/home/ada/.ssh/known_hosts'), ...parseKnownHosts(`other ${type} ${base64}\n\n${bLine}\n`, '/home/ada/.config/netns-designer/known_hosts')];
    const pinned = { key: a.blob, source: '/run/nsd-lab/demo/lab.json', fix: 'rebuild it: nsd lab down; nsd lab up' };

    it('trusts a listed key, asks about an unknown one', () => {
      expect(hostKeyVerdict({ entries: parseKnownHosts(aLine), host: 'lab.example', port: 22, key: a.blob })).toEqual({ decision: 'trust', by: 'known_hosts' });
      expect(hostKeyVerdict({ entries, host: 'new.example', port: 22, key: a.blob })).toEqual({ decision: 'ask' });
    });

    it('refuses a changed key naming every file and line to remove, as OpenSSH\'s "Offending key in FILE:LINE"', () => {
      const verdict = hostKeyVerdict({ entries: parseKnownHosts(`# x\n\n${bLine}\n`, '/home/ada/.ssh/known_hosts'), host: 'lab.example', port: 22, key: a.blob });
      expect(verdict).toMatchObject({ decision: 'refuse', status: 'changed' });
      const message = (verdict as { message: string }).message;
      expect(message).toContain(`has CHANGED (now ${fingerprint(a.blob)})`);
      expect(message).toContain('Offending key in /home/ada/.ssh/known_hosts:3');
      expect(message).toContain("ssh-keygen -R 'lab.example' -f /home/ada/.ssh/known_hosts");
      const both = hostKeyVerdict({ entries: [...parseKnownHosts(bLine, '/u'), ...parseKnownHosts(`\n${bLine}`, '/app')], host: 'lab.example', port: 22, key: a.blob });
      expect((both as { message: string }).message).toContain("Offending key in /u:1, /app:2: remove it (ssh-keygen -R 'lab.example' -f /u; ssh-keygen -R 'lab.example' -f /app)");
      const revoked = hostKeyVerdict({ entries: parseKnownHosts(`${aLine}\n@revoked ${aLine}\n`, '/k'), host: 'lab.example', port: 22, key: a.blob });
      expect(revoked).toMatchObject({ decision: 'refuse', status: 'revoked' });
      expect((revoked as { message: string }).message).toContain('Revoked key in /k:2');
    });

    it('trusts a pinned key alone: known_hosts entries for the address neither help nor refuse', () => {
      // The user's files hold another key for the address (an old lab host): the pin still wins.
      expect(hostKeyVerdict({ entries, host: 'lab.example', port: 22, key: a.blob, pinned })).toEqual({ decision: 'trust', by: 'pinned' });
      expect(hostKeyVerdict({ entries: parseKnownHosts(bLine), host: 'lab.example', port: 22, key: a.blob, pinned })).toEqual({ decision: 'trust', by: 'pinned' });
      // A key known_hosts lists, but not the pinned one: refused, never asked.
      const other = hostKeyVerdict({ entries: parseKnownHosts(bLine), host: 'lab.example', port: 22, key: b.blob, pinned });
      expect(other).toMatchObject({ decision: 'refuse', status: 'changed' });
      expect((other as { message: string }).message).toBe(
        `the host key of lab.example:22 is ${fingerprint(b.blob)}, not the ${fingerprint(a.blob)} that /run/nsd-lab/demo/lab.json records; refusing to connect. rebuild it: nsd lab down; nsd lab up`,
      );
    });
  });
});
