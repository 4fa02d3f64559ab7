/**
 * Deploy and verify over SSH against the same exported script run locally with bash inside the
 * lab host: a real sshd in a sandbox lab host, labs of 10, 50 and 100 namespaces on a bridge.
 * Each size is measured in rounds that alternate which way goes first (a warm cache must not
 * favour one side); the table shows medians. Needs root (namespaces); without it this section
 * says so and is skipped.
 */
import { compile } from '../src/shared/compiler/index.js';
import type { RunAction } from '../src/shared/deploy/events.js';
import { labPrerequisites, type Sandbox } from '../test/lab/sandbox.js';
import { rootLogin, runCompiled, withSshd, type Sshd } from '../test/lab/sshd.js';
import { bridgedLab } from './topologies.js';
import { median } from './median.js';

const SIZES = [10, 50, 100];
const ROUNDS = 3;
const GOAL_RATIO = 1.2;
const GOAL_VERIFY_MS = 5000;
const LIMIT_MS = 300_000;

interface Times {
  up: number;
  verify: number;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** up, verify (timed) and down, one way. */
async function cycle(run: (action: RunAction) => Promise<void>): Promise<Times> {
  const up = await timed(() => run('up'));
  const verify = await timed(() => run('verify'));
  await run('down');
  return { up, verify };
}

async function measure(count: number): Promise<{ count: number; ssh: Times; local: Times; probes: number }> {
  const c = compile(bridgedLab(count));
  if (!c.ok) throw new Error('generated lab does not compile');
  return withSshd(async (sb: Sandbox, sshd: Sshd) => {
    const local = async (action: RunAction): Promise<void> => {
      const r = await sb.runScript(c.script, [action], { timeoutMs: LIMIT_MS });
      if (r.code !== 0) throw new Error(`local ${action} failed: ${r.stderr}`);
    };
    const conn = await rootLogin(sshd);
    const ssh = async (action: RunAction): Promise<void> => {
      const { outcome } = await runCompiled(conn, c, action, { timeoutMs: LIMIT_MS });
      if (!outcome.ok) throw new Error(`ssh ${action} failed: ${outcome.error?.message}`);
    };
    try {
      const rounds: { ssh: Times; local: Times }[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        if (i % 2 === 0) {
          const l = await cycle(local);
          rounds.push({ local: l, ssh: await cycle(ssh) });
        } else {
          const s = await cycle(ssh);
          rounds.push({ ssh: s, local: await cycle(local) });
        }
      }
      const med = (side: 'ssh' | 'local', what: keyof Times): number => median(rounds.map((r) => r[side][what]));
      return { count, ssh: { up: med('ssh', 'up'), verify: med('ssh', 'verify') }, local: { up: med('local', 'up'), verify: med('local', 'verify') }, probes: c.probes.length };
    } finally {
      conn.client.end();
    }
  });
}

/** Prints the deploy table; returns without measuring when the machine cannot build labs. */
export async function deployBench(): Promise<void> {
  console.log(`\ndeploy over SSH vs the same lab.sh run locally in the lab host (labs on one bridge, NAT; median of ${ROUNDS} rounds)\n`);
  const missing = labPrerequisites();
  if (missing) {
    console.log(`SKIPPED: ${missing}`);
    return;
  }
  const header = ['namespaces', 'ssh up ms', 'local up ms', 'ratio', 'ssh verify', 'local verify', 'ratio', 'probes'];
  console.log(header.map((h) => h.padStart(13)).join(''));
  for (const count of SIZES) {
    const r = await measure(count);
    console.log(
      [count, r.ssh.up.toFixed(0), r.local.up.toFixed(0), (r.ssh.up / r.local.up).toFixed(2), r.ssh.verify.toFixed(0), r.local.verify.toFixed(0), (r.ssh.verify / r.local.verify).toFixed(2), r.probes]
        .map((v) => String(v).padStart(13))
        .join(''),
    );
    if (count === SIZES.at(-1)) {
      const ratio = r.ssh.up / r.local.up;
      console.log(
        `\ngoal: SSH deploy within ${GOAL_RATIO}x of local: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x); verify of ${count} namespaces under ${GOAL_VERIFY_MS / 1000} s: ${r.ssh.verify <= GOAL_VERIFY_MS ? 'met' : 'NOT met'} (${(r.ssh.verify / 1000).toFixed(1)} s over SSH)`,
      );
    }
  }
}
