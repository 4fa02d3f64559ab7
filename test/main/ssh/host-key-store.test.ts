import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendKnownHost, knownHostsPaths, loadKnownHosts } from '../../../src/main/ssh/host-key-store.js';
import { checkHostKey } from '../../../src/main/ssh/known-hosts.js';
import { hasTool, skipUnless } from '../../support/tools.js';

const skip = skipUnless('the host key store tests with real ssh-keygen keys', { 'ssh-keygen': hasTool('ssh-keygen') });

describe.skipIf(skip)('host-key-store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsd-store-'));
  const keyOf = (name: string): Buffer => {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
    return Buffer.from(readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ')[1]!, 'base64');
  };

  it('puts the app store under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(knownHostsPaths({ HOME: '/h' })).toEqual({ user: '/h/.ssh/known_hosts', app: '/h/.config/netns-designer/known_hosts' });
    expect(knownHostsPaths({ HOME: '/h', XDG_CONFIG_HOME: '/x' }).app).toBe('/x/netns-designer/known_hosts');
    // The XDG spec: an empty or relative value is ignored.
    expect(knownHostsPaths({ HOME: '/h', XDG_CONFIG_HOME: '' }).app).toBe('/h/.config/netns-designer/known_hosts');
    expect(knownHostsPaths({ HOME: '/h', XDG_CONFIG_HOME: 'rel' }).app).toBe('/h/.config/netns-designer/known_hosts');
  });

  it('creates the store on the first trusted key, appends later ones, and reads both files back', async () => {
    const a = keyOf('a');
    const b = keyOf('b');
    const store = join(dir, 'config', 'netns-designer', 'known_hosts');
    const user = join(dir, 'user_known_hosts');
    writeFileSync(user, `lab1 ssh-ed25519 ${a.toString('base64')}\n`);
    await appendKnownHost(store, '198.51.100.2', 22, b);
    await appendKnownHost(store, 'lab2', 2222, a);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(readFileSync(store, 'utf8')).toBe(`198.51.100.2 ssh-ed25519 ${b.toString('base64')}\n[lab2]:2222 ssh-ed25519 ${a.toString('base64')}\n`);
    const entries = await loadKnownHosts([user, store, join(dir, 'missing')]);
    expect(checkHostKey(entries, 'lab1', 22, a)).toBe('known');
    expect(checkHostKey(entries, '198.51.100.2', 22, b)).toBe('known');
    expect(checkHostKey(entries, 'lab2', 2222, a)).toBe('known');
    expect(checkHostKey(entries, 'lab1', 22, b)).toBe('changed');
    // ssh itself reads the store: the fingerprint it lists is the key we stored.
    const listed = spawnSync('ssh-keygen', ['-F', '[lab2]:2222', '-f', store], { encoding: 'utf8' });
    expect(listed.stdout).toContain(a.toString('base64'));
  });
});
