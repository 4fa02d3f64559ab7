import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SaveTargetRequest } from '../../../src/shared/ipc/contract.js';
import { memoryBox, safeStorageBox, type SafeStorageLike } from '../../../src/main/services/secret-box.js';
import { createTargetStore } from '../../../src/main/services/targets.js';
import type { SecretBox } from '../../../src/main/services/types.js';

const PASSWORD = 'hunter2-Pässwörd';
const PASSPHRASE = 'correct horse battery staple';
const SUDO = 'sudo-Secret-42';

/**
 * A keychain stand-in: reversible, and its ciphertext contains none of the plain text (nor its
 * base64, hex or UTF-16), as a real keychain's would not.
 */
function fakeKeychain(): SafeStorageLike & { calls: number } {
  const key = 0x5a;
  const keychain = {
    calls: 0,
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString(plain: string) {
      keychain.calls++;
      return Buffer.from([0x76, 0x31, 0x31, ...Buffer.from(plain, 'utf8').map((b) => b ^ key)]);
    },
    decryptString(data: Buffer) {
      if (data.subarray(0, 3).toString() !== 'v11') throw new Error('bad ciphertext');
      return Buffer.from(data.subarray(3).map((b) => b ^ key)).toString('utf8');
    },
  };
  return keychain;
}

function store(secrets: SecretBox, file = join(mkdtempSync(join(tmpdir(), 'nsd-targets-')), 'config', 'targets.json')) {
  return { file, targets: createTargetStore({ file, secrets }) };
}

const request = (fields: Partial<ReturnType<typeof SaveTargetRequest.parse>> = {}) =>
  SaveTargetRequest.parse({ label: 'lab VM', host: 'root@lab-vm:2222', ...fields });

/** Every form in which a secret could leak into the file. */
function leaks(text: string): string[] {
  return [PASSWORD, PASSPHRASE, SUDO].flatMap((s) =>
    [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex'), JSON.stringify(s).slice(1, -1), Buffer.from(s, 'utf16le').toString('latin1')].filter((form) =>
      text.includes(form),
    ),
  );
}

describe('targets', () => {
  it('stores secrets only as base64 keychain ciphertext, in a 0600 file, and gets them back', async () => {
    const keychain = fakeKeychain();
    const { file, targets } = store(safeStorageBox(keychain, 'linux'));
    const saved = await targets.save(request({ password: PASSWORD, passphrase: PASSPHRASE, sudoPassword: SUDO, sudo: true, identityFile: '/root/.ssh/id_ed25519' }));
    expect(saved).toEqual({
      id: saved.id,
      label: 'lab VM',
      host: 'root@lab-vm:2222',
      identityFile: '/root/.ssh/id_ed25519',
      sudo: true,
      hasPassword: true,
      hasPassphrase: true,
      hasSudoPassword: true,
    });
    expect(saved.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const text = readFileSync(file, 'utf8');
    expect(leaks(text)).toEqual([]);
    // The detector itself sees a secret that was only base64-encoded.
    expect(leaks(JSON.stringify({ password: Buffer.from(PASSWORD).toString('base64') }))).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(text) as { targets: { secrets: Record<string, string> }[] };
    expect(keychain.decryptString(Buffer.from(stored.targets[0]!.secrets.password!, 'base64'))).toBe(PASSWORD);
    expect(await targets.get(saved.id)).toEqual({ target: saved, secrets: { password: PASSWORD, passphrase: PASSPHRASE, sudoPassword: SUDO } });
    // A new store over the same file (the next session) decrypts the same secrets.
    const next = createTargetStore({ file, secrets: safeStorageBox(keychain, 'linux') });
    expect((await next.get(saved.id))?.secrets.password).toBe(PASSWORD);
    expect(readdirSync(join(file, '..'))).toEqual(['targets.json']);
  });

  it('keeps a secret on an undefined field, removes it on an empty one, replaces it on a new one', async () => {
    const { file, targets } = store(safeStorageBox(fakeKeychain(), 'linux'));
    const { id } = await targets.save(request({ password: PASSWORD, passphrase: PASSPHRASE }));
    const kept = await targets.save(request({ id, label: 'renamed' }));
    expect(kept).toMatchObject({ id, label: 'renamed', hasPassword: true, hasPassphrase: true, hasSudoPassword: false });
    const removed = await targets.save(request({ id, password: '' }));
    expect(removed).toMatchObject({ hasPassword: false, hasPassphrase: true });
    await targets.save(request({ id, passphrase: 'another one' }));
    expect((await targets.get(id))?.secrets).toEqual({ passphrase: 'another one' });
    expect(JSON.parse(readFileSync(file, 'utf8')).targets[0].secrets.password).toBeUndefined();
  });

  it('generates distinct ids, lists every target and removes one', async () => {
    const { targets } = store(memoryBox());
    const a = await targets.save(request({ label: 'a' }));
    const b = await targets.save(request({ label: 'b' }));
    expect(a.id).not.toBe(b.id);
    expect((await targets.list()).map((t) => t.label)).toEqual(['a', 'b']);
    await targets.remove(a.id);
    expect((await targets.list()).map((t) => t.id)).toEqual([b.id]);
    expect(await targets.get(a.id)).toBeUndefined();
    await targets.remove('no-such-id');
  });

  it('refuses to update a target that does not exist', async () => {
    const { targets } = store(memoryBox());
    await expect(targets.save(request({ id: 'gone' }))).rejects.toThrow('no saved host has the id gone');
  });

  it('keeps secrets in memory only when the box is not persistent', async () => {
    const { file, targets } = store(memoryBox());
    const saved = await targets.save(request({ password: PASSWORD, passphrase: PASSPHRASE, sudoPassword: SUDO }));
    expect(saved).toMatchObject({ hasPassword: true, hasPassphrase: true, hasSudoPassword: true });
    const text = readFileSync(file, 'utf8');
    expect(leaks(text)).toEqual([]);
    expect(JSON.parse(text).targets[0].secrets).toBeUndefined();
    expect((await targets.get(saved.id))?.secrets).toEqual({ password: PASSWORD, passphrase: PASSPHRASE, sudoPassword: SUDO });
    // The next session (a new store over the same file) has the host but not its secrets.
    const next = createTargetStore({ file, secrets: memoryBox() });
    expect(await next.get(saved.id)).toEqual({ target: { ...saved, hasPassword: false, hasPassphrase: false, hasSudoPassword: false }, secrets: {} });
  });

  it('says how it keeps secrets: the keychain when the box is persistent, else memory', () => {
    expect(store(memoryBox()).targets.secretsKept()).toBe('memory');
    expect(store(safeStorageBox({ ...fakeKeychain(), getSelectedStorageBackend: () => 'basic_text' }, 'linux')).targets.secretsKept()).toBe('memory');
    expect(store(safeStorageBox(fakeKeychain(), 'linux')).targets.secretsKept()).toBe('keychain');
  });

  it('treats the basic_text keychain as not persistent and writes no secret', async () => {
    const keychain = { ...fakeKeychain(), getSelectedStorageBackend: () => 'basic_text' };
    const { file, targets } = store(safeStorageBox(keychain, 'linux'));
    const saved = await targets.save(request({ password: PASSWORD }));
    expect(JSON.parse(readFileSync(file, 'utf8')).targets[0].secrets).toBeUndefined();
    expect((await targets.get(saved.id))?.secrets.password).toBe(PASSWORD);
    expect(leaks(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('names the host and the fix when a stored secret cannot be decrypted', async () => {
    const { file, targets } = store(safeStorageBox(fakeKeychain(), 'linux'));
    const { id } = await targets.save(request({ sudoPassword: SUDO }));
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.targets[0].secrets.sudoPassword = Buffer.from('garbage').toString('base64');
    writeFileSync(file, JSON.stringify(data));
    await expect(targets.get(id)).rejects.toThrow('saved host lab VM: the stored sudo password cannot be decrypted');
  });

  it('refuses a damaged file instead of overwriting it', async () => {
    const { file, targets } = store(memoryBox());
    await targets.save(request());
    writeFileSync(file, '{"version":1,"targets":[{"id":"bad id"}]}');
    await expect(targets.list()).rejects.toThrow(`${file}: targets.0.id`);
    await expect(targets.save(request())).rejects.toThrow('move it away');
    expect(readFileSync(file, 'utf8')).toContain('bad id');
  });

  it('keeps every target when saves race', async () => {
    const { targets } = store(memoryBox());
    await Promise.all(Array.from({ length: 8 }, (_, i) => targets.save(request({ label: `t${i}`, password: `p${i}` }))));
    const list = await targets.list();
    expect(list.map((t) => t.label).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']);
    expect(list.every((t) => t.hasPassword)).toBe(true);
  });
});
