/**
 * Every bundled example deployed over SSH (root, key) to a real sshd in a sandbox lab host:
 * the bytes bash read are the exported script, every step is reported, verify is all green,
 * a second up changes nothing, and down leaves the lab host exactly as it was.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { loadExamples } from '../support/examples.js';
import { coveredSteps } from '../support/steps-covered.js';
import { requireSshd, rootLogin, runCompiled as run, withSshd } from './sshd.js';

const skip = requireSshd('the SSH deploy tests of every example (test/lab/deploy-examples.test.ts)');

const ids = (events: RunEvent[], type: 'step-started' | 'step-finished'): string[] => events.flatMap((e) => (e.type === type ? [e.step.id] : []));

describe.skipIf(skip)('deploy every example over SSH', () => {
  it.each(loadExamples().map((e) => [e.name, e.json] as const))(
    '%s: up, verify green, up again unchanged, down without a trace',
    async (name, json) => {
      const c = compile(structuredClone(json));
      if (!c.ok) throw new Error(`${name} does not compile`);
      await withSshd(async (sb, sshd) => {
        const before = await sb.snapshot();
        const conn = await rootLogin(sshd);
        try {
          const up = await run(conn, c, 'up');
          expect(up.outcome, JSON.stringify(up.events.filter((e) => e.type !== 'output' || e.stream === 'stderr'))).toEqual({ ok: true, exitCode: 0 });
          expect(coveredSteps(up.events, 'step-started', c.up)).toEqual(c.up.map((s) => s.id));
          expect(coveredSteps(up.events, 'step-finished', c.up)).toEqual(c.up.map((s) => s.id));
          expect(sshd.received(), `${name}: bash read other bytes than compile().script`).toBe(c.script);

          const verify = await run(conn, c, 'verify');
          const probes = verify.events.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
          expect(probes.map((p) => [p.id, p.result, p.cause])).toEqual(c.probes.map((p) => [p.id, 'pass', undefined]));
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
      });
    },
    120_000,
  );
});
