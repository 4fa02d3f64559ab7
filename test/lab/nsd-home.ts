/**
 * nsd over SSH as the lab tests run it: a HOME of the test's own (never the user's), with the lab
 * host's root key in ~/.ssh and, unless told otherwise, its host key in ~/.ssh/known_hosts; nsd
 * runs in-process with that HOME and its XDG_CONFIG_HOME, as root, reading no standard input.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/main.js';
import { runNsd, type CliOutcome } from '../support/cli.js';

/** What a lab host gives its tests: the root login's private key and its known_hosts line. */
export interface LabKeys {
  rootKey: string;
  knownHosts: string;
}

/** A new HOME with the root key at ~/.ssh/lab_key, and the host key trusted when `trust`. */
export function nsdHome(keys: LabKeys, trust = true): { home: string; key: string } {
  const home = mkdtempSync(join(tmpdir(), 'nsd-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const key = join(home, '.ssh', 'lab_key');
  writeFileSync(key, keys.rootKey, { mode: 0o600 });
  if (trust) writeFileSync(join(home, '.ssh', 'known_hosts'), keys.knownHosts);
  return { home, key };
}

/** `nsd ...argv` with HOME `home`; `io` and `env` add to (or override) what it gets. */
export function nsdIn(home: string, io: Partial<CliIo> = {}, env: Record<string, string> = {}): (...argv: string[]) => Promise<CliOutcome> {
  return (...argv) => runNsd(argv, { env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), USER: 'root', PATH: process.env.PATH, ...env }, stdin: undefined, ...io });
}
