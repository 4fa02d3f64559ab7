/**
 * Services (nodes[].services) over SSH with nsd against a real sshd in a sandbox lab host: the
 * port-forward example's web server answers through the port forward and verify's probe reaches
 * it; status and inspect say running with its pid; apply keeps an unchanged service and restarts
 * a changed one; a failing service shows its exit status and last output lines; destroy (also
 * `--lab`, without the drawing) stops every process and leaves the state directory clean.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { parseInspect } from '../../src/shared/deploy/inspect.js';
import { EXIT } from '../../src/shared/exit-codes.js';
import { loadExample } from '../support/examples.js';
import { LAB_NET } from '../../src/main/lab/lab-info.js';
import { withSandbox, type Sandbox } from './sandbox.js';
import { requireSshd, withSshd } from './sshd.js';
import { nsdHome, nsdIn } from './nsd-home.js';

const skip = requireSshd('the service tests (test/lab/services.test.ts)');

interface Doc {
  nodes: Array<{ id: string; dns?: string[]; services?: Array<{ id: string; command: string }> }>;
}

/** The pid status prints for a service, e.g. `service    blue/web    running (pid 42)`. */
function runningPid(status: string, service: string): number {
  const m = new RegExp(`^service +${service} +running \\(pid (\\d+)\\)$`, 'm').exec(status);
  if (!m) throw new Error(`status does not say ${service} runs:\n${status}`);
  return Number(m[1]);
}

/** Every process on the machine that a service of lab `lab` started (its wrapper's command line names the lab's state). */
const servicePids = (sb: Sandbox, lab: string): Promise<string[]> => sb.processesWith(` nsd-service /run/nsd/${lab}/services/`);

describe.skipIf(skip)('services over SSH', () => {
  it(
    'the port-forward example serves its page through the port forward; status, apply, a failing service, destroy',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const dir = mkdtempSync(join(tmpdir(), 'nsd-services-'));
        const file = join(dir, 'port-forward.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const doc = structuredClone(loadExample('05-port-forward')) as Doc;
        const save = (d: Doc) => writeFileSync(file, JSON.stringify(d));
        const blue = doc.nodes.find((n) => n.id === 'blue')!;
        expect(blue.services?.map((s) => s.id)).toEqual(['web']);
        save(doc);
        const before = await sb.snapshot();

        const up = await nsd('deploy', file, ...ssh);
        expect(up.code, up.stdout + up.stderr).toBe(EXIT.ok);
        expect(up.stdout).toMatch(/services +service web in blue: echo "<h1>Hello from blue<\/h1>" >index.html && exec python3 -m http.server 80\n/);

        // Verify's port-forward probes connect to the real server: no stand-in listener takes its port.
        const verify = await nsd('verify', file, ...ssh);
        expect(verify.code, verify.stdout + verify.stderr).toBe(EXIT.ok);
        expect(verify.stdout).toMatch(/^host->web .* pass /m);
        // Traced: verify waited for the service's port and started no stand-in listener (ip netns exec NS python3 -c ...; verify's own prober is a python3 -c on the host).
        const compiled = compile(doc, { source: 'port-forward.json' });
        if (!compiled.ok) throw new Error('the example does not compile');
        const scriptFile = join(sb.tmpDir, 'traced.sh');
        writeFileSync(scriptFile, compiled.script);
        const traced = await sb.lab(['bash', '-x', scriptFile, 'verify'], { timeoutMs: 60_000 });
        expect(traced.code, traced.stdout).toBe(0);
        expect(traced.stderr).toContain('+ nsd_listen blue 192.168.15.2 80');
        expect(traced.stderr).not.toMatch(/netns exec \S+ python3 -c/);
        const listeners = await sb.inNamespace('blue', ['ss', '-Hltnp', 'sport = :80']);
        expect(listeners.stdout).toMatch(/python3/);
        expect(listeners.stdout.trim().split('\n')).toHaveLength(1);

        // From the "internet", through the DNAT on the lab host's uplink: the service's own page.
        const page = await sb.httpGet('upstream', `http://${LAB_NET.uplinkAddress}/`);
        expect(page, JSON.stringify(page)).toMatchObject({ ok: true, status: 200 });
        expect(page.body).toContain('<h1>Hello from blue</h1>');

        const status = await nsd('status', file, ...ssh);
        expect(status.code, status.stdout + status.stderr).toBe(EXIT.ok);
        const pid = runningPid(status.stdout, 'blue/web');
        expect((await sb.lab(['cat', `/proc/${pid}/cmdline`])).stdout).toContain('nsd-service');
        // Its own process group and session, inside blue's network namespace.
        const stat = (await sb.lab(['cat', `/proc/${pid}/stat`])).stdout.replace(/^.*\) /, '').split(' ');
        expect([Number(stat[2]), Number(stat[3])], (await sb.lab(['bash', '-c', 'ps -eo pid,ppid,pgid,sid,args | grep -e nsd-service -e http.server'])).stdout).toEqual([pid, pid]);
        expect((await sb.lab(['ip', 'netns', 'identify', String(pid)])).stdout.trim()).toBe('blue');
        // Its output is kept in the lab's state directory on the host.
        const log = await sb.lab(['cat', '/run/nsd/port-forward/services/blue/web.log']);
        expect(log.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200/);

        const inspect = parseInspect((await nsd('inspect', file, ...ssh, '--json')).stdout);
        expect(inspect.services).toEqual([{ netns: 'blue', id: 'web', state: 'running', pid, exit: null, tail: expect.any(String) as string }]);
        expect(inspect.want.find((i) => i.line.startsWith('service '))).toMatchObject({ element: 'blue', state: 'present' });

        // An unrelated edit: the service keeps running, the same process.
        doc.nodes.find((n) => n.id === 'red')!.dns = ['9.9.9.9'];
        save(doc);
        const plan = await nsd('plan', file, ...ssh);
        expect(plan.stdout).not.toContain('service');
        const apply1 = await nsd('deploy', file, ...ssh);
        expect(apply1.code, apply1.stdout + apply1.stderr).toBe(EXIT.ok);
        expect(runningPid((await nsd('status', file, ...ssh)).stdout, 'blue/web')).toBe(pid);

        // A changed command: the old process group is stopped, a new one serves the new page; and a
        // service that fails shows its exit status and last output lines.
        blue.services = [{ id: 'web', command: 'echo "<h1>Hello again</h1>" >index.html && exec python3 -m http.server 80' }];
        doc.nodes.find((n) => n.id === 'red')!.services = [{ id: 'fail', command: 'echo starting; echo "no such thing" >&2; exit 3' }];
        save(doc);
        const plan2 = await nsd('plan', file, ...ssh);
        expect(plan2.stdout).toMatch(/^- service blue web [0-9a-f]{8} {2}\[blue\]$/m);
        expect(plan2.stdout).toMatch(/^\+ service blue web [0-9a-f]{8} {2}\[blue\]$/m);
        expect(plan2.stdout).toMatch(/^\+ service red fail [0-9a-f]{8} {2}\[red\]$/m);
        const apply2 = await nsd('deploy', file, ...ssh);
        expect(apply2.code, apply2.stdout + apply2.stderr).toBe(EXIT.ok);
        expect((await sb.lab(['bash', '-c', `test -e /proc/${pid} && echo alive || echo gone`])).stdout.trim()).toBe('gone');
        const status2 = await nsd('status', file, ...ssh);
        const pid2 = runningPid(status2.stdout, 'blue/web');
        expect(pid2).not.toBe(pid);
        expect(status2.stdout).toMatch(/^service +red\/fail +exited 3\n +\| starting\n +\| no such thing\n/m);
        // A service that ended is part of what up made, not a missing part: the lab is up.
        expect(status2.code).toBe(EXIT.ok);
        let again: { ok: boolean; body: string } = { ok: false, body: '' };
        for (let i = 0; i < 50 && !again.body.includes('Hello again'); i++) again = await sb.httpGet('upstream', `http://${LAB_NET.uplinkAddress}/`);
        expect(again.body).toContain('<h1>Hello again</h1>');
        const inspect2 = parseInspect((await nsd('inspect', file, ...ssh, '--json')).stdout);
        expect(inspect2.services.find((s) => s.id === 'fail')).toMatchObject({ netns: 'red', state: 'exited', exit: 3, pid: null });
        expect(inspect2.services.find((s) => s.id === 'fail')!.tail).toContain('no such thing');
        expect(inspect2.want.find((i) => i.line.startsWith('service red fail '))).toMatchObject({ state: 'different', note: 'service fail exited with status 3' });

        // destroy: every service process is gone, and so is every file of the lab's state.
        const down = await nsd('destroy', file, ...ssh);
        expect(down.code, down.stdout + down.stderr).toBe(EXIT.ok);
        expect(await servicePids(sb, 'port-forward')).toEqual([]);
        expect((await sb.lab(['bash', '-c', 'ls -A /run/nsd 2>/dev/null || true'])).stdout.trim()).toBe('');
        expect(await sb.snapshot()).toBe(before);

        // destroy --lab, without the drawing, stops the services too.
        expect((await nsd('deploy', file, ...ssh)).code).toBe(EXIT.ok);
        expect(await servicePids(sb, 'port-forward')).toHaveLength(1);
        const byName = await nsd('destroy', '--lab', 'port-forward', ...ssh);
        expect(byName.code, byName.stdout + byName.stderr).toBe(EXIT.ok);
        expect(await servicePids(sb, 'port-forward')).toEqual([]);
        expect(await sb.snapshot()).toBe(before);
      }),
    180_000,
  );

  it(
    'verify right after up gives a slow service the seconds it needs to open its port, instead of taking the port with a stand-in',
    () =>
      withSandbox(async (sb) => {
        const doc = structuredClone(loadExample('05-port-forward')) as Doc;
        doc.nodes.find((n) => n.id === 'blue')!.services = [{ id: 'web', command: 'sleep 2; exec python3 -m http.server 80' }];
        const compiled = compile(doc, { source: 'slow.json' });
        if (!compiled.ok) throw new Error('the edited example does not compile');
        const file = join(sb.tmpDir, 'slow.sh');
        writeFileSync(file, compiled.script);
        const up = await sb.lab(['bash', file, 'up'], { timeoutMs: 60_000 });
        expect(up.code, up.stdout + up.stderr).toBe(0);
        const verify = await sb.lab(['bash', '-x', file, 'verify'], { timeoutMs: 60_000 });
        expect(verify.code, verify.stdout).toBe(0);
        expect(verify.stderr).not.toMatch(/netns exec \S+ python3 -c/);
        const status = await sb.lab(['bash', file, 'status']);
        runningPid(status.stdout, 'blue/web');
        expect((await sb.lab(['bash', file, 'down'])).code).toBe(0);
        expect(await servicePids(sb, 'port-forward')).toEqual([]);
      }),
    120_000,
  );
});
