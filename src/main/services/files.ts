/**
 * Topology files on disk: atomic saves that keep the file's mode, the recent-files list, the
 * autosave used for crash recovery, and where a user-given path may point (inside the workspace
 * in browser mode, any absolute path in the desktop app).
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { z } from 'zod';
import { decodeUtf8, InvalidUtf8Error } from '../../shared/compiler/validate/index.js';
import type { FileService } from './types.js';

/** The largest topology file read (also the largest the contract lets the UI save). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** How many recent files are remembered. */
export const MAX_RECENT = 10;

const RECENT_FILE = 'recent.json';
const RECOVERY_FILE = 'recovery.json';

const RecentList = z.array(z.string().min(1)).max(100);
const Recovery = z.object({ text: z.string(), path: z.string().nullable(), savedAt: z.string() });

/**
 * Writes `data` to `path` atomically: a temp file in the same directory, fsync, rename over the
 * target, then fsync the directory. The file keeps the mode of the file it replaces; `mode`
 * overrides it (new files otherwise get 0666 minus the umask, like any editor's).
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  // Saving through a symlink updates the file it points to instead of replacing the link.
  const path = realPathOfPossiblyNew(target);
  const dir = dirname(path);
  let mode = options.mode;
  if (mode === undefined) {
    const existing = await stat(path).catch(ignoreMissing);
    if (existing && !existing.isFile()) throw new Error(`${path} is not a regular file`);
    mode = existing ? existing.mode & 0o7777 : undefined;
  }
  // Same directory, so rename never crosses a file system; `wx` refuses a planted file or link.
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data);
      // open()'s mode passes through the umask; chmod restores the mode exactly.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable; some file systems refuse to fsync a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

function ignoreMissing(e: NodeJS.ErrnoException): undefined {
  if (e.code === 'ENOENT') return undefined;
  throw e;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * The real path of `path`, following symlinks as far as the path exists (a new file's directory),
 * and following a dangling link to where it points: that is where a write would land.
 */
function realPathOfPossiblyNew(path: string, depth = 0): string {
  if (depth > 40) throw new Error(`${path}: too many levels of symbolic links`);
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...[...rest].reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      if (lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink()) {
        const target = resolvePath(dirname(current), readlinkSync(current));
        return realPathOfPossiblyNew(join(target, ...[...rest].reverse()), depth + 1);
      }
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(basename(current));
      current = parent;
    }
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The file service of the desktop app (no `workspace`: absolute paths only) or of the browser
 * entry (`workspace`: every path lives inside it). `stateDir` holds recent.json and recovery.json.
 */
export function createFileService(opts: { stateDir: string; workspace?: string }): FileService {
  const { stateDir } = opts;
  const workspace = opts.workspace === undefined ? undefined : resolvePath(opts.workspace);
  const recentPath = join(stateDir, RECENT_FILE);
  const recoveryPath = join(stateDir, RECOVERY_FILE);
  // Recent-list updates run one after another so that two quick saves do not lose an entry.
  let recentQueue: Promise<unknown> = Promise.resolve();

  function resolve(path: string): string {
    if (path.includes('\0')) throw new Error('the path contains a NUL byte');
    if (workspace === undefined) {
      if (!isAbsolute(path)) throw new Error(`"${path}" is not an absolute path; choose the file with the Open or Save dialog`);
      return resolvePath(path);
    }
    let root: string;
    try {
      root = realpathSync(workspace);
    } catch {
      throw new Error(`the workspace ${workspace} does not exist; create it or start with another --workspace`);
    }
    const wanted = resolvePath(root, path);
    const outside = `"${path}" is outside the workspace ${workspace}; use a path inside it, like "lab.json" or "labs/lab.json"`;
    // Lexically first (.., absolute paths elsewhere), then through symlinks (a link pointing out).
    if (!isInside(root, wanted)) throw new Error(outside);
    const real = realPathOfPossiblyNew(wanted);
    if (!isInside(root, real)) throw new Error(outside);
    return real;
  }

  async function readRecent(): Promise<string[]> {
    const text = await readFile(recentPath, 'utf8').catch(ignoreMissing);
    if (text === undefined) return [];
    try {
      const parsed = RecentList.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  async function writeState(path: string, data: string): Promise<void> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, data, { mode: 0o600 });
  }

  function remember(path: string): Promise<void> {
    const update = recentQueue.then(async () => {
      const list = (await readRecent()).filter((p) => p !== path);
      await writeState(recentPath, `${JSON.stringify([path, ...list].slice(0, MAX_RECENT), null, 2)}\n`);
    });
    recentQueue = update.catch(() => undefined);
    return update;
  }

  return {
    resolve,

    async open(path) {
      const file = resolve(path);
      const cannot = (e: NodeJS.ErrnoException): never => {
        throw new Error(e.code === 'ENOENT' ? `${file} does not exist` : `cannot open ${file}: ${e.message}`);
      };
      // Checked before opening: opening a FIFO or a device for reading could block forever.
      if (!(await stat(file).catch(cannot)).isFile()) throw new Error(`${file} is not a regular file`);
      const handle = await open(file, 'r').catch(cannot);
      let text: string;
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new Error(`${file} is not a regular file`);
        if (info.size > MAX_FILE_BYTES) {
          throw new Error(`${file} is ${mib(info.size)}; a topology file may be at most ${mib(MAX_FILE_BYTES)}`);
        }
        // Read one byte past the limit so that a file growing after stat() is still caught.
        const buffer = Buffer.alloc(Math.min(info.size, MAX_FILE_BYTES) + 1);
        let length = 0;
        for (;;) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
          if (bytesRead === 0) break;
          length += bytesRead;
          if (length === buffer.length) {
            if (length > MAX_FILE_BYTES) throw new Error(`${file} is larger than ${mib(MAX_FILE_BYTES)}, the limit for a topology file`);
            break;
          }
        }
        try {
          text = decodeUtf8(buffer.subarray(0, length));
        } catch (e) {
          if (e instanceof InvalidUtf8Error) throw new Error(`${file}: ${e.message}`);
          throw e;
        }
      } finally {
        await handle.close();
      }
      await remember(file);
      return { path: file, text };
    },

    async save(path, text) {
      const file = resolve(path);
      if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new Error(`the document is larger than ${mib(MAX_FILE_BYTES)}; it was not saved`);
      await writeFileAtomic(file, text);
      await remember(file);
      return { path: file };
    },

    async writeExport(path, data, mode) {
      const file = resolve(path);
      await writeFileAtomic(file, data, mode === undefined ? {} : { mode });
      return { path: file };
    },

    async recent() {
      await recentQueue;
      const list = await readRecent();
      const present = await Promise.all(
        list.map(async (p) => {
          try {
            return (await stat(resolve(p))).isFile();
          } catch {
            return false;
          }
        }),
      );
      return list.filter((_p, i) => present[i]).slice(0, MAX_RECENT);
    },

    async autosave(text, path) {
      const record = { text, path, savedAt: new Date().toISOString() };
      await writeState(recoveryPath, JSON.stringify(record));
    },

    async recovery() {
      const text = await readFile(recoveryPath, 'utf8').catch(ignoreMissing);
      if (text === undefined) return null;
      try {
        const parsed = Recovery.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },

    async discardRecovery() {
      await rm(recoveryPath, { force: true });
    },
  };
}
