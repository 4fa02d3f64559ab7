/**
 * Whether what a suite needs is on this machine. Under CI a missing requirement is a failing
 * test (the suite must run, never skip); elsewhere the suite is skipped with a loud message
 * saying what did not run and why. The lab tests (test/lab/sandbox.ts requireLab) use the same.
 */
import { spawnSync } from 'node:child_process';
import { it } from 'vitest';

/** Where root's tools live even when PATH leaves them out (sshd, ip, iptables, ...). */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** PATH with the sbin directories added. */
export function pathWithSbin(path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string {
  const dirs = path.split(':');
  return [...dirs, ...SBIN.filter((d) => !dirs.includes(d))].join(':');
}

/** True when `tool` is on PATH (or in an sbin directory). */
export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1" >/dev/null', 'sh', tool], { env: { ...process.env, PATH: pathWithSbin() } }).status === 0;
}

/** True under CI (CI set to anything but empty, 0 or false). */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * Returns true when the suite must be skipped for `reasons` (none: false). Under CI it
 * registers a failing test instead that names them, and returns true so the suite's own tests
 * do not fail one by one; elsewhere it prints a loud warning.
 */
export function skipFor(suite: string, reasons: readonly string[], hint = ''): boolean {
  if (reasons.length === 0) return false;
  const why = reasons.join('; ');
  if (inCi()) {
    const error = new Error(`${suite} cannot run under CI=true: ${why}.${hint ? ` ${hint}` : ''} (.ci/run installs what the tests need)`);
    try {
      it(`prerequisites of ${suite}`, () => {
        throw error;
      });
    } catch {
      // Asked while a test runs, where no test can be registered: fail that one.
      throw error;
    }
  } else {
    console.warn(`\n!!! SKIPPED: ${suite} did NOT run: ${why}.${hint ? `\n!!! ${hint}` : ''}\n!!! Under CI=true this is a failure.\n`);
  }
  return true;
}

/** skipFor() with named requirements: `{ shellcheck: hasTool('shellcheck') }`. */
export function skipUnless(suite: string, requirements: Record<string, boolean>, hint = ''): boolean {
  const missing = Object.entries(requirements)
    .filter(([, ok]) => !ok)
    .map(([what]) => `${what} is missing`);
  return skipFor(suite, missing, hint);
}
