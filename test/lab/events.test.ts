/**
 * The real output of lab.sh (NSD_EVENTS=1), parsed into run events: every step of up appears
 * in the compiler's order, verify yields one passing probe event per planned probe, and a
 * refused up names its step.
 */
import { describe, expect, it } from 'vitest';
import { RunOutputParser } from '../../src/shared/deploy/output-parser.js';
import type { RunAction, RunEvent } from '../../src/shared/deploy/events.js';
import { compile } from '../../src/shared/compiler/index.js';
import { compileExample, loadExample } from '../support/examples.js';
import { faultyIptablesPath, requireLab, withSandbox, type Sandbox } from './sandbox.js';
import { coveredSteps } from '../support/steps-covered.js';

const skip = requireLab('the run-event tests against real lab.sh output (test/lab/events.test.ts)');

async function runParsed(sb: Sandbox, script: string, action: RunAction, parser: RunOutputParser): Promise<RunEvent[]> {
  const r = await sb.runScript(script, [action], { env: { NSD_EVENTS: '1' } });
  return [...parser.push('stdout', r.stdout), ...parser.push('stderr', r.stderr), ...parser.end(r.code)];
}

describe.skipIf(skip)('run events from lab.sh', () => {
  it(
    'reports every step of up and down in order, and every probe of verify as passing',
    async () => {
      const c = compileExample('05-port-forward');
      await withSandbox(async (sb) => {
        const up = await runParsed(sb, c.script, 'up', new RunOutputParser('up', { steps: c.up }));
        // A step of its own, or the steps FIRST..LAST of a step table, which run together.
        const covered = (type: 'step-started' | 'step-finished') => coveredSteps(up, type, c.up);
        expect(covered('step-started')).toEqual(c.up.map((s) => s.id));
        expect(covered('step-finished')).toEqual(c.up.map((s) => s.id));
        expect(up.some((e) => e.type === 'step-started' && e.step.last !== undefined)).toBe(true);
        expect(up.at(-1)).toMatchObject({ type: 'finished', ok: true });
        // Run from a file, the script names that file when it says how to go on.
        expect(up.some((e) => e.type === 'output' && /^lab port-forward is up\. Check it with: sudo bash \/\S+\/lab-\d+\.sh verify$/.test(e.line))).toBe(true);

        const verify = await runParsed(sb, c.script, 'verify', new RunOutputParser('verify', { probes: c.probes }));
        const probes = verify.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
        expect(probes.map((p) => p.id)).toEqual(c.probes.map((p) => p.id));
        expect(probes.filter((p) => p.result !== 'pass')).toEqual([]);

        const down = await runParsed(sb, c.script, 'down', new RunOutputParser('down', { steps: c.down }));
        expect(down.filter((e) => e.type === 'step-finished')).toHaveLength(c.down.length);
      });
    },
    120_000,
  );

  it(
    'names the preflight step when up is refused',
    async () => {
      const c = compileExample('02-bridge');
      await withSandbox(async (sb) => {
        await sb.lab(['ip', 'netns', 'add', 'red']);
        const events = await runParsed(sb, c.script, 'up', new RunOutputParser('up', { steps: c.up }));
        const failed = events.find((e) => e.type === 'step-failed');
        expect(failed).toMatchObject({ step: { index: 1, id: 'preflight' }, exitStatus: 1 });
        expect(failed?.type === 'step-failed' && failed.stderr.join('\n')).toContain('namespace red exists and was not made by this lab');
      }, { upstream: false });
    },
    120_000,
  );
});

describe.skipIf(skip)('run events from a failing lab.sh', () => {
  it(
    'names the step, its element and the failing command when a command fails mid-run',
    async () => {
      const c = compileExample('04-nat');
      await withSandbox(async (sb) => {
        const r = await sb.runScript(c.script, ['up'], { env: { NSD_EVENTS: '1', PATH: await faultyIptablesPath(sb) } });
        const parser = new RunOutputParser('up', { steps: c.up });
        const events = [...parser.push('stdout', r.stdout), ...parser.push('stderr', r.stderr), ...parser.end(r.code)];
        expect(events.find((e) => e.type === 'step-failed')).toMatchObject({
          step: { id: 'forwarding/chain/ipv4', phase: 'forwarding', element: null },
          exitStatus: 1,
          command: 'iptables -t filter -N NSD-nat-FWD',
        });
        expect(events.at(-1)).toMatchObject({ type: 'finished', ok: false, exitCode: 1 });
      });
    },
    120_000,
  );

  it(
    "names the DNS step of the namespace whose directory cannot be made, although one mkdir makes them all",
    async () => {
      const doc = loadExample('02-bridge') as { nodes: { kind: string; dns?: string[] }[] };
      for (const n of doc.nodes) if (n.kind === 'namespace') n.dns = ['192.0.2.53'];
      const c = compile(doc, { source: '02-bridge.json' });
      if (!c.ok) throw new Error(c.problems[0]?.message);
      await withSandbox(async (sb) => {
        // A file where blue's directory goes: mkdir fails for blue only.
        await sb.lab(['sh', '-c', 'mkdir -p /etc/netns && : >/etc/netns/blue']);
        const r = await sb.runScript(c.script, ['up'], { env: { NSD_EVENTS: '1' } });
        const parser = new RunOutputParser('up', { steps: c.up });
        const events = [...parser.push('stdout', r.stdout), ...parser.push('stderr', r.stderr), ...parser.end(r.code)];
        expect(events.find((e) => e.type === 'step-failed')).toMatchObject({ step: { id: 'namespaces/blue/dns', element: 'blue' }, command: 'mkdir -p /etc/netns/blue' });
        // The directories come first, all of them in one mkdir, which made red's; no file was written.
        expect((await sb.lab(['sh', '-c', 'test -d /etc/netns/red && ! test -e /etc/netns/red/resolv.conf'])).code).toBe(0);
        await sb.lab(['rm', '/etc/netns/blue']);
        const again = await sb.runScript(c.script, ['up']);
        expect(again.code, again.stderr).toBe(0);
        expect((await sb.lab(['cat', '/etc/netns/blue/resolv.conf'])).stdout).toBe('nameserver 192.0.2.53\n');
        expect((await sb.runScript(c.script, ['down'])).code).toBe(0);
        expect((await sb.lab(['ls', '-A', '/etc/netns'])).stdout).toBe('');
      }, { upstream: false });
    },
    120_000,
  );
});
