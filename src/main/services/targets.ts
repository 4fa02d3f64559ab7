/**
 * Saved SSH hosts in one JSON file (mode 0600). Secrets are written only as base64 of the
 * keychain's ciphertext; without a usable keychain they stay in this process's memory and the
 * file holds none, so a plain password never reaches the disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { SavedTarget } from '../../shared/ipc/contract.js';
import { writeFileAtomic } from './files.js';
import type { SecretBox, TargetSecrets, TargetStore } from './types.js';

const SECRET_KEYS = ['password', 'passphrase', 'sudoPassword'] as const;
type SecretKey = (typeof SECRET_KEYS)[number];

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const Cipher = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const StoredTarget = z.object({
  id: Id,
  label: z.string().min(1).max(100),
  host: z.string().min(1).max(300),
  identityFile: z.string().min(1).max(4096).optional(),
  socket: z.string().min(1).max(4096).optional(),
  sudo: z.boolean(),
  /** base64 of SecretBox.encrypt(), only when the box is persistent. */
  secrets: z.object({ password: Cipher.optional(), passphrase: Cipher.optional(), sudoPassword: Cipher.optional() }).optional(),
});
type StoredTarget = z.infer<typeof StoredTarget>;
const StoreFile = z.object({ version: z.literal(1), targets: z.array(StoredTarget) });
type StoreFile = z.infer<typeof StoreFile>;

/** A fresh target id: 16 characters of [A-Za-z0-9_-]. */
export function newTargetId(): string {
  return randomBytes(12).toString('base64url');
}

/** The target store over `file`, with secrets kept by `secrets`. */
export function createTargetStore(opts: { file: string; secrets: SecretBox }): TargetStore {
  const { file, secrets } = opts;
  /** Session-only secrets (encrypted by the non-persistent box), by target id. */
  const memory = new Map<string, Partial<Record<SecretKey, Buffer>>>();
  // Changes run one after another: each reads the file, changes it and writes it back.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  async function load(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, targets: [] };
      throw e;
    }
    let parsed: ReturnType<typeof StoreFile.safeParse>;
    try {
      parsed = StoreFile.safeParse(JSON.parse(text));
    } catch {
      throw new Error(`${file} is not valid JSON; move it away to start with no saved hosts`);
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}; move it away to start with no saved hosts`);
    }
    return parsed.data;
  }

  async function store(data: StoreFile): Promise<void> {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  }

  function has(target: StoredTarget, key: SecretKey): boolean {
    return secrets.persistent() ? target.secrets?.[key] !== undefined : memory.get(target.id)?.[key] !== undefined;
  }

  function view(target: StoredTarget): SavedTarget {
    return {
      id: target.id,
      label: target.label,
      host: target.host,
      ...(target.identityFile === undefined ? {} : { identityFile: target.identityFile }),
      ...(target.socket === undefined ? {} : { socket: target.socket }),
      sudo: target.sudo,
      hasPassword: has(target, 'password'),
      hasPassphrase: has(target, 'passphrase'),
      hasSudoPassword: has(target, 'sudoPassword'),
    };
  }

  return {
    secretsKept: () => (secrets.persistent() ? 'keychain' : 'memory'),

    async list() {
      await queue;
      return (await load()).targets.map(view);
    },

    save(request) {
      return serial(async () => {
        const data = await load();
        let target: StoredTarget;
        if (request.id !== undefined) {
          const found = data.targets.find((t) => t.id === request.id);
          if (!found) throw new Error(`no saved host has the id ${request.id}; it may have been removed`);
          target = found;
        } else {
          let id = newTargetId();
          while (data.targets.some((t) => t.id === id)) id = newTargetId();
          target = { id, label: request.label, host: request.host, sudo: request.sudo };
          data.targets.push(target);
        }
        target.label = request.label;
        target.host = request.host;
        target.sudo = request.sudo;
        if (request.identityFile === undefined) delete target.identityFile;
        else target.identityFile = request.identityFile;
        if (request.socket === undefined) delete target.socket;
        else target.socket = request.socket;

        const persistent = secrets.persistent();
        const fileSecrets = { ...target.secrets };
        const sessionSecrets = { ...memory.get(target.id) };
        for (const key of SECRET_KEYS) {
          const value = request[key];
          if (value === undefined) continue;
          // A new value replaces the old one wherever it was kept; '' only removes it.
          delete fileSecrets[key];
          delete sessionSecrets[key];
          if (value === '') continue;
          if (persistent) fileSecrets[key] = secrets.encrypt(value).toString('base64');
          else sessionSecrets[key] = secrets.encrypt(value);
        }
        if (Object.keys(fileSecrets).length > 0) target.secrets = fileSecrets;
        else delete target.secrets;
        await store(data);
        if (Object.keys(sessionSecrets).length > 0) memory.set(target.id, sessionSecrets);
        else memory.delete(target.id);
        return view(target);
      });
    },

    remove(id) {
      return serial(async () => {
        const data = await load();
        const kept = data.targets.filter((t) => t.id !== id);
        memory.delete(id);
        if (kept.length !== data.targets.length) await store({ ...data, targets: kept });
      });
    },

    async get(id) {
      await queue;
      const target = (await load()).targets.find((t) => t.id === id);
      if (!target) return undefined;
      const out: TargetSecrets = {};
      const persistent = secrets.persistent();
      for (const key of SECRET_KEYS) {
        const stored = persistent ? target.secrets?.[key] : memory.get(id)?.[key];
        if (stored === undefined) continue;
        try {
          out[key] = secrets.decrypt(typeof stored === 'string' ? Buffer.from(stored, 'base64') : stored);
        } catch {
          const what = key === 'sudoPassword' ? 'sudo password' : key;
          throw new Error(`saved host ${target.label}: the stored ${what} cannot be decrypted (the system keychain changed?); enter it again`);
        }
      }
      return { target: view(target), secrets: out };
    },
  };
}
