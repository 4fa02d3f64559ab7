/**
 * What the machine under the bench costs for the two things the slow goals are made of: starting
 * a process (verify starts thousands, up hundreds) and touching fresh memory (a page fault: a
 * 10,000-namespace compile touches some 80 MB it did not have). Printed before every part, so a
 * run can be compared with another machine's or another day's (on 2026-12-02 this VM measured 4 to
 * 6 ms and 11 to 15 µs, where a physical machine takes well under 1 ms and 1 µs).
 */
import { spawnSync } from 'node:child_process';

const PAGE = 4096;

/** Median time of `bash -c '/bin/true'` started from a bash loop, in ms (the processes lab.sh starts are started alike). */
export function processStartMs(count = 200): number {
  const script = `for ((i = 0; i < ${count}; i++)); do s=$EPOCHREALTIME; /bin/true; e=$EPOCHREALTIME; echo $(( \${e/./} - \${s/./} )); done`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bash could not time /bin/true: ${r.stderr}`);
  const us = r.stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
  return us[Math.floor(us.length / 2)]! / 1000;
}

/** Time to touch one page of memory the process has never used, in µs (the median of three 64 MB rounds). */
export function pageFaultUs(): number {
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    // allocUnsafeSlow: its own block, never the pool, never filled: each page is first touched here.
    const b = Buffer.allocUnsafeSlow(64 * 1024 * 1024);
    const start = performance.now();
    for (let i = 0; i < b.length; i += PAGE) b[i] = 1;
    rounds.push(((performance.now() - start) * 1000) / (b.length / PAGE));
  }
  return rounds.sort((a, b) => a - b)[1]!;
}

/** One line about the machine, for the top of a bench run. */
export function machineLine(): string {
  return `machine: a process started from bash ${processStartMs().toFixed(2)} ms (median of 200 /bin/true), a fresh page touched ${pageFaultUs().toFixed(2)} µs`;
}
