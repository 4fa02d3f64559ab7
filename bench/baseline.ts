/**
 * Issue 11's goals in time as the ratios they were written as: compile of 10,000 namespaces under
 * 500 ms where the code of the day the issue was filed took 1,084 ms, and 1,000 namespaces over SSH
 * up and verified in under 10 s each where that day's lab.sh took 71.8 s and 45.0 s. That code (main
 * at FILED, the last commit before the round the issue belongs to: its compiler and its SSH runner)
 * is taken from git into `.nsd-bench/FILED/` and does the same work in the same run, so that the
 * verdicts say the same on a slow machine as on a fast one. Without git or that commit (a copy
 * without history) there is no baseline, and the bench says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Main when issue 11 was filed: the "today" of its numbers. */
export const FILED = '74587b6';

/** The numbers of that day and its goals, in ms. */
export const FILED_GOALS = {
  compile: { then: 1_084, goal: 500 },
  sshUp: { then: 71_800, goal: 10_000 },
  sshVerify: { then: 45_000, goal: 10_000 },
} as const;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What the baseline needs of FILED's tree: the compiler and everything it imports, and the SSH runner. */
const PARTS = ['src/shared', 'src/main/ssh'];

/** The directory holding FILED's PARTS (compiler: src/shared/compiler/index.ts, runner: src/main/ssh/runner.ts), or why there is none. */
export function filedTree(): { dir: string } | { missing: string } {
  const dir = join(ROOT, '.nsd-bench', FILED);
  if (existsSync(join(dir, 'src/main/ssh/runner.ts'))) return { dir };
  const commit = spawnSync('git', ['-C', ROOT, 'rev-parse', '--verify', '--quiet', `${FILED}^{commit}`], { encoding: 'utf8' });
  if (commit.error || commit.status !== 0) return { missing: `commit ${FILED} is not in this copy (git ${commit.error ? 'is not installed' : 'does not know it'})` };
  // Unpacked beside and renamed into place: an interrupted unpack never passes for a whole one.
  const part = `${dir}.part`;
  rmSync(dir, { recursive: true, force: true });
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  const unpack = spawnSync('sh', ['-c', 'git -C "$1" archive "$2" "$4" "$5" | tar -x -C "$3"', 'sh', ROOT, FILED, part, ...PARTS], { encoding: 'utf8' });
  if (unpack.status !== 0) return { missing: `git archive ${FILED} failed: ${unpack.stderr.trim()}` };
  renameSync(part, dir);
  return { dir };
}

/** `mine` against `theirs` (ms) for a goal of FILED_GOALS: the ratio, the ratio asked for, and the verdict line's words. */
export function againstFiled(goal: keyof typeof FILED_GOALS, mine: number, theirs: number): { ratio: number; wanted: number; met: boolean; text: string } {
  const { then, goal: ms } = FILED_GOALS[goal];
  const ratio = mine / theirs;
  const wanted = ms / then;
  const met = ratio <= wanted;
  return { ratio, wanted, met, text: `${(mine / 1000).toFixed(2)} s against ${(theirs / 1000).toFixed(2)} s for the code of ${FILED}, ${ratio.toFixed(2)}x (goal at most ${wanted.toFixed(2)}x: ${ms / 1000} s where it took ${then / 1000} s): ${met ? 'met' : 'NOT met'}` };
}
