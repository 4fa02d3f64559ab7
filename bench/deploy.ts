/**
 * Deploy and verify over SSH against the same exported script run locally with bash inside the
 * lab host: a real sshd in a sandbox lab host, labs of 10, 50 and 100 namespaces on a bridge.
 * Needs root (namespaces); without it this section says so and is skipped.
 */
import { compile, type CompileResult } from '../src/shared/compiler/index.js';
import type { RunAction } from '../src/shared/deploy/events.js';
import { connect } from '../src/main/ssh/connection.js';
import { parseKnownHosts } from '../src/main/ssh/known-hosts.js';
import { runAction } from '../src/main/ssh/runner.js';
import { labPrerequisites, Sandbox } from '../test/lab/sandbox.js';
import { startSshd } from '../test/lab/sshd.js';
import { bridgedLab } from './topologies.js';

type Compiled = Extract<CompileResult, { ok: true }>;

const SIZES = [10, 50, 100];
const GOAL_RATIO = 1.2;
const GOAL_VERIFY_MS = 5000;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function measure(count: number): Promise<{ count: number; sshUp: number; localUp: number; sshVerify: number; localVerify: number; probes: number }> {
  const c = compile(bridgedLab(count)) as Compiled;
  if (!c.ok) throw new Error('generated lab does not compile');
  const sb = await Sandbox.create({ upstream: true });
  try {
    const sshd = await startSshd(sb);
    const local = async (action: RunAction): Promise<void> => {
      const r = await sb.runScript(c.script, [action], { timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`local ${action} failed: ${r.stderr}`);
    };
    const conn = await connect({ host: sshd.host, username: 'root', privateKey: sshd.rootKey, sock: sshd.socket(), knownHosts: parseKnownHosts(sshd.knownHosts) });
    const remote = async (action: RunAction): Promise<void> => {
      const steps = action === 'up' ? c.up : action === 'down' ? c.down : [];
      const outcome = await runAction(conn.client, { action, script: c.script, steps, probes: c.plan.probes, privilege: 'root', timeoutMs: 300_000, onEvent: () => undefined });
      if (!outcome.ok) throw new Error(`ssh ${action} failed: ${outcome.error?.message}`);
    };
    try {
      const localUp = await timed(() => local('up'));
      const localVerify = await timed(() => local('verify'));
      await local('down');
      const sshUp = await timed(() => remote('up'));
      const sshVerify = await timed(() => remote('verify'));
      await remote('down');
      return { count, sshUp, localUp, sshVerify, localVerify, probes: c.plan.probes.length };
    } finally {
      conn.client.end();
    }
  } finally {
    await sb.destroy();
  }
}

/** Prints the deploy table; returns without measuring when the machine cannot build labs. */
export async function deployBench(): Promise<void> {
  console.log('\ndeploy over SSH vs the same lab.sh run locally in the lab host (labs on one bridge, NAT)\n');
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
      [count, r.sshUp.toFixed(0), r.localUp.toFixed(0), (r.sshUp / r.localUp).toFixed(2), r.sshVerify.toFixed(0), r.localVerify.toFixed(0), (r.sshVerify / r.localVerify).toFixed(2), r.probes]
        .map((v) => String(v).padStart(13))
        .join(''),
    );
    if (count === SIZES.at(-1)) {
      console.log(`\ngoal: SSH deploy within ${GOAL_RATIO}x of local: ${r.sshUp / r.localUp <= GOAL_RATIO ? 'met' : 'NOT met'}; verify of ${count} namespaces under ${GOAL_VERIFY_MS / 1000} s: ${r.sshVerify <= GOAL_VERIFY_MS ? 'met' : 'NOT met'} (${(r.sshVerify / 1000).toFixed(1)} s)`);
    }
  }
}
