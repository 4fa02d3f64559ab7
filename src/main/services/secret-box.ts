/**
 * Secret boxes for saved SSH passwords and passphrases: the OS keychain through Electron's
 * safeStorage when it really protects the secret, else a box whose key lives only in this
 * process, so that secrets last for the session and are never written anywhere.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretBox } from './types.js';

/** The part of Electron's `safeStorage` used here (injected, so this module needs no Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only, after app 'ready'. */
  getSelectedStorageBackend?(): string;
}

/**
 * A box keyed in memory (AES-256-GCM, a random key per box): reversible in this process only,
 * so `persistent()` is false and nothing it encrypts is worth writing down.
 */
export function memoryBox(): SecretBox {
  const key = randomBytes(32);
  return {
    persistent: () => false,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      if (data.length < 28) throw new Error('not a secret encrypted by this session');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * Electron's safeStorage as a SecretBox. It is persistent only when encryption is available and,
 * on Linux, backed by a real secret store: the 'basic_text' backend encrypts with a key hard-coded
 * in Chromium, which protects nothing. Otherwise it behaves like memoryBox().
 */
export function safeStorageBox(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretBox {
  const fallback = memoryBox();
  const persistent = (): boolean => {
    if (!safeStorage.isEncryptionAvailable()) return false;
    if (platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend?.();
      if (backend === undefined || backend === 'basic_text' || backend === 'unknown') return false;
    }
    return true;
  };
  return {
    persistent,
    encrypt: (plain) => (persistent() ? safeStorage.encryptString(plain) : fallback.encrypt(plain)),
    decrypt: (data) => (persistent() ? safeStorage.decryptString(data) : fallback.decrypt(data)),
  };
}
