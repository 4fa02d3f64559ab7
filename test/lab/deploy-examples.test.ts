/**
 * Every bundled example deployed over SSH (root, key) to a real sshd in a sandbox lab host:
 * the bytes bash read are the exported script, every step is reported, verify is all green,
 * a second up changes nothing, and down leaves the lab host exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../../src/shared/compiler/index.js';
import type { RunAction, RunEvent } from '../../src/shared/deploy/events.js';
import { connect, type Connection } from '../../src/main/ssh/connection.js';
import { parseKnownHosts } from '../../src/main/ssh/known-hosts.js';
import { runAction, type RunOutcome } from '../../src/main/ssh/runner.js';
import { loadExamples } from '../support/examples.js';
import { requireLab, Sandbox } from './sandbox.js';
import { startSshd } from './sshd.js';

const skip = requireLab('the SSH deploy tests of every example (test/lab/deploy-examples.test.ts)');

type Compiled = Extract<CompileResult, { ok: true }>;

async function run(conn: Connection, c: Compiled, action: RunAction): Promise<{ outcome: RunOutcome; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const steps = action === 'up' ? c.up : action === 'down' ? c.down : [];
  const outcome = await runAction(conn.client, { action, script: c.script, steps, probes: c.plan.probes, privilege: 'root', timeoutMs: 60_000, onEvent: (e) => events.push(e) });
  return { outcome, events };
}

const ids = (events: RunEvent[], type: 'step-started' | 'step-finished'): string[] => events.flatMap((e) => (e.type === type ? [e.step.id] : []));

describe.skipIf(skip)('deploy every example over SSH', () => {
  it.each(loadExamples().map((e) => [e.name, e.json] as const))(
    '%s: up, verify green, up again unchanged, down without a trace',
    async (name, json) => {
      const c = compile(structuredClone(json));
      if (!c.ok) throw new Error(`${name} does not compile`);
      const sb = await Sandbox.create({ upstream: true });
      try {
        const sshd = await startSshd(sb);
        const before = await sb.snapshot();
        const conn = await connect({ host: sshd.host, port: sshd.port, username: 'root', privateKey: sshd.rootKey, sock: sshd.socket(), knownHosts: parseKnownHosts(sshd.knownHosts) });
        try {
          const up = await run(conn, c, 'up');
          expect(up.outcome, JSON.stringify(up.events.filter((e) => e.type !== 'output' || e.stream === 'stderr'))).toEqual({ ok: true, exitCode: 0 });
          expect(ids(up.events, 'step-started')).toEqual(c.up.map((s) => s.id));
          expect(ids(up.events, 'step-finished')).toEqual(c.up.map((s) => s.id));
          expect(sshd.received(), `${name}: bash read other bytes than compile().script`).toBe(c.script);

          const verify = await run(conn, c, 'verify');
          const probes = verify.events.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
          expect(probes.map((p) => [p.id, p.result, p.cause])).toEqual(c.plan.probes.map((p) => [p.id, 'pass', undefined]));
          expect(verify.outcome.ok).toBe(true);

          const afterUp = await sb.snapshot();
          expect((await run(conn, c, 'up')).outcome.ok).toBe(true);
          expect(await sb.snapshot(), `${name}: a second up changed the lab host`).toBe(afterUp);

          const down = await run(conn, c, 'down');
          expect(down.outcome.ok).toBe(true);
          expect(ids(down.events, 'step-finished')).toEqual(c.down.map((s) => s.id));
          expect(await sb.snapshot(), `${name}: the lab host after down differs from before up`).toBe(before);
        } finally {
          conn.client.end();
        }
      } finally {
        await sb.destroy();
      }
    },
    120_000,
  );
});
