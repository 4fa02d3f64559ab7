/**
 * Whether a system tool a suite needs is here. Under CI=true a missing tool fails the suite
 * (it must run, never skip); elsewhere the suite is skipped with a loud message.
 */
import { spawnSync } from 'node:child_process';

/** True when `tool` is on PATH. */
export function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', tool]).status === 0;
}

/**
 * Returns true when the suite should be skipped: only outside CI, with a warning naming what
 * did not run and why. Under CI a missing requirement throws, failing the suite.
 */
export function skipUnless(suite: string, requirements: Record<string, boolean>): boolean {
  const missing = Object.entries(requirements)
    .filter(([, ok]) => !ok)
    .map(([what]) => what);
  if (missing.length === 0) return false;
  const message = `${suite} needs ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${message}: under CI=true this suite must run; install it (see .ci/run)`);
  console.warn(`\n*** SKIPPED: ${message}, which this machine lacks. These tests did not run. ***\n`);
  return true;
}
