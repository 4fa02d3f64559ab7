import { describe, expect, it } from 'vitest';
import { memoryBox, safeStorageBox, type SafeStorageLike } from '../../../src/main/services/secret-box.js';

function keychain(available: boolean, backend?: string): SafeStorageLike & { encrypted: string[] } {
  const encrypted: string[] = [];
  return {
    encrypted,
    isEncryptionAvailable: () => available,
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
    encryptString(plain) {
      encrypted.push(plain);
      return Buffer.from(`kc:${Buffer.from(plain).toString('hex')}`);
    },
    decryptString(data) {
      return Buffer.from(data.toString().slice(3), 'hex').toString();
    },
  };
}

describe('secret-box', () => {
  it('memoryBox is reversible, not persistent, and another box cannot read it', () => {
    const box = memoryBox();
    expect(box.persistent()).toBe(false);
    const sealed = box.encrypt('s3cret ünïcode');
    expect(sealed.toString('latin1')).not.toContain('s3cret');
    expect(box.decrypt(sealed)).toBe('s3cret ünïcode');
    expect(box.encrypt('same').equals(box.encrypt('same'))).toBe(false);
    expect(() => memoryBox().decrypt(sealed)).toThrow();
    expect(() => box.decrypt(Buffer.alloc(5))).toThrow('not a secret encrypted by this session');
  });

  it.each([
    ['linux', true, 'gnome_libsecret', true],
    ['linux', true, 'kwallet5', true],
    ['linux', true, 'basic_text', false],
    ['linux', true, 'unknown', false],
    ['linux', true, undefined, false],
    ['linux', false, 'gnome_libsecret', false],
    ['darwin', true, undefined, true],
    ['win32', true, undefined, true],
    ['darwin', false, undefined, false],
  ] as const)('on %s with encryption %s and backend %s, persistent() is %s', (platform, available, backend, persistent) => {
    expect(safeStorageBox(keychain(available, backend), platform).persistent()).toBe(persistent);
  });

  it('uses the keychain only when persistent, else an in-memory box', () => {
    const good = keychain(true, 'gnome_libsecret');
    const box = safeStorageBox(good, 'linux');
    expect(box.decrypt(box.encrypt('pw'))).toBe('pw');
    expect(good.encrypted).toEqual(['pw']);

    const weak = keychain(true, 'basic_text');
    const fallback = safeStorageBox(weak, 'linux');
    expect(fallback.decrypt(fallback.encrypt('pw'))).toBe('pw');
    expect(weak.encrypted).toEqual([]);
  });
});
