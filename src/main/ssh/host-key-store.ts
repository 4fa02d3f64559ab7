/**
 * Where trusted host keys live: the user's ~/.ssh/known_hosts (read only: ssh owns it) and the
 * app's own store in the same format, which gets a line when the user trusts a new key.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { knownHostsLine, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

/** The two files consulted, in order: the user's known_hosts, then the app's store. */
export function knownHostsPaths(env: Record<string, string | undefined> = process.env): { user: string; app: string } {
  const home = env.HOME ?? homedir();
  // The XDG spec: an empty or relative XDG_CONFIG_HOME is ignored.
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return {
    user: join(home, '.ssh', 'known_hosts'),
    app: join(config, 'netns-designer', 'known_hosts'),
  };
}

/** Reads and parses every file that exists; a missing file is simply empty. */
export async function loadKnownHosts(paths: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(
    paths.map((p) =>
      readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw e;
      }),
    ),
  );
  return texts.flatMap((t) => parseKnownHosts(t));
}

/** Appends to a private store file, creating it (mode 600) and its directory (mode 700) if needed. */
export async function appendCreatingDir(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, data, { mode: 0o600 });
}

/** Appends a trusted key to a store file, creating it (mode 600, directory 700) if needed. */
export function appendKnownHost(path: string, host: string, port: number, key: Buffer): Promise<void> {
  return appendCreatingDir(path, knownHostsLine(host, port, key));
}
