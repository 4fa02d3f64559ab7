/**
 * Link impairments over SSH, through nsd's real deploy path: this machine's kernel has no netem,
 * so the lab host is User-Mode Linux with a real sshd (test/lab/uml.ts startUmlLabHost), reached
 * through a unix socket. `nsd deploy` puts a 50 ms delay on a link and ping across it takes
 * about 100 ms; verify passes and its report shows the delay; an edit to 100 % loss is applied
 * by changing only the qdiscs, after which the other end is unreachable, the untouched link
 * still answers and verify fails naming the loss; destroy leaves no namespace and no qdisc.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/shared/exit-codes.js';
import { connect } from '../../src/main/ssh/connection.js';
import { parseKnownHosts } from '../../src/main/ssh/known-hosts.js';
import { type CliOutcome } from '../support/cli.js';
import { hasTool, skipUnless } from '../support/tools.js';
import { requireLab } from './sandbox.js';
import { requireUml, startUmlLabHost, type UmlLabHost } from './uml.js';
import { nsdHome, nsdIn } from './nsd-home.js';

const SUITE = 'the netem tests over SSH (test/lab/netem-ssh.test.ts)';
const skip = requireUml(SUITE) || requireLab(SUITE) || skipUnless(SUITE, { '/dev/net/tun (UML\'s eth0 is a TAP device)': existsSync('/dev/net/tun'), 'sshd (openssh-server)': hasTool('sshd'), 'ssh-keygen (openssh-client)': hasTool('ssh-keygen') });

// UML is slow to start processes on a loaded machine: room for CI.
const TIMEOUT = 600_000;

/** red - blue (red-blue, impaired as given) and red - green (red-green, never impaired). */
function drawing(netem: Record<string, number>): unknown {
  return {
    version: 1,
    name: 'netemssh',
    nodes: [
      { id: 'red', kind: 'namespace' },
      { id: 'blue', kind: 'namespace' },
      { id: 'green', kind: 'namespace' },
    ],
    links: [
      { id: 'red-blue', a: { node: 'red', ifname: 'rb-red', addresses: ['10.0.1.1/24'] }, b: { node: 'blue', ifname: 'rb-blue', addresses: ['10.0.1.2/24'] }, netem },
      { id: 'red-green', a: { node: 'red', ifname: 'rg-red', addresses: ['10.0.2.1/24'] }, b: { node: 'green', ifname: 'rg-green', addresses: ['10.0.2.2/24'] } },
    ],
  };
}

/** ping's average round trip, in ms. */
function avgRtt(text: string): number {
  const m = /rtt [^=]*= [0-9.]+\/([0-9.]+)\//.exec(text);
  if (!m) throw new Error(`no round trip in:\n${text}`);
  return Number(m[1]);
}

/** Runs `command` as root on the UML lab host over its own SSH connection; its output and status. */
async function onHost(lab: UmlLabHost, command: string): Promise<{ code: number; output: string }> {
  const conn = await connect({ host: lab.host, port: lab.port, sock: netConnect(lab.socketPath), knownHosts: parseKnownHosts(lab.knownHosts), username: 'root', privateKey: lab.rootKey, readyTimeoutMs: 60_000 });
  try {
    return await new Promise((resolve, reject) => {
      conn.client.exec(command, (err, stream) => {
        if (err) return reject(err);
        let output = '';
        stream.on('data', (d: Buffer) => (output += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (output += d.toString()));
        stream.on('close', (code: number | null) => resolve({ code: code ?? -1, output }));
      });
    });
  } finally {
    conn.client.end();
  }
}

describe.skipIf(skip)('netem over SSH on a lab host whose kernel has it (UML)', () => {
  it(
    'deploys a delayed link, verifies it, applies 100 % loss by changing only the qdiscs, and destroy leaves nothing',
    async () => {
      const lab = await startUmlLabHost();
      const { home, key } = nsdHome(lab);
      try {
        const file = join(home, 'netem.json');
        const ssh = ['--host', `root@${lab.host}`, '-i', key, '--socket', lab.socketPath, '--timeout', '300'];
        const nsd = nsdIn(home);
        const show = (r: CliOutcome): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n--- UML console\n${lab.console().slice(-3000)}`;

        writeFileSync(file, JSON.stringify(drawing({ delayMs: 50 })));
        const up = await nsd('deploy', file, ...ssh);
        expect(up.code, show(up)).toBe(EXIT.ok);

        // 50 ms each way: a round trip of about 100 ms.
        const ping = await nsd('exec', file, 'red', ...ssh, '--', 'ping', '-n', '-c', '3', '-i', '0.2', '10.0.1.2');
        expect(ping.code, show(ping)).toBe(0);
        const rtt = avgRtt(ping.stdout);
        expect(rtt, ping.stdout).toBeGreaterThanOrEqual(90);
        expect(rtt, ping.stdout).toBeLessThanOrEqual(200);

        const verified = await nsd('verify', file, ...ssh);
        expect(verified.code, show(verified)).toBe(EXIT.ok);
        const row = /^red->blue .* reachable +reachable +pass +([0-9.]+)$/m.exec(verified.stdout);
        expect(row, show(verified)).not.toBeNull();
        expect(Number(row![1])).toBeGreaterThanOrEqual(90);
        expect(verified.stdout).toContain('the path has 100 ms of delay there and back (netem on red-blue)');

        // The edit: 100 % loss. The plan changes the two qdiscs and nothing else.
        // A process in red, the addresses, routes and the other cable: the same after the apply.
        const started = await onHost(lab, 'ip netns exec red setsid sleep 600 </dev/null >/dev/null 2>&1 & sleep 0.5; ip netns pids red');
        expect(started.output, started.output).toMatch(/^\d+\n$/);
        const state = 'ip netns pids red; ip -n red -br addr; ip -n blue -br addr; ip -n green -br addr; ip -n red route; ip -n red link show rg-red';
        const before = await onHost(lab, state);
        writeFileSync(file, JSON.stringify(drawing({ lossPercent: 100 })));
        const plan = await nsd('plan', file, ...ssh);
        expect(plan.code, show(plan)).toBe(EXIT.ok);
        const lines = plan.stdout.split('\n').filter((l) => /^[-~+] /.test(l));
        expect(lines, show(plan)).toEqual(['~ qdisc blue rb-blue: delay 50ms -> loss 100%  [red-blue]', '~ qdisc red rb-red: delay 50ms -> loss 100%  [red-blue]']);
        const applied = await nsd('deploy', file, ...ssh);
        expect(applied.code, show(applied)).toBe(EXIT.ok);
        const after = await onHost(lab, state);
        expect(after.output).toBe(before.output);
        expect(after.output).toContain(started.output);

        const cut = await nsd('exec', file, 'red', ...ssh, '--', 'ping', '-n', '-c', '2', '-W', '1', '10.0.1.2');
        expect(cut.code, show(cut)).not.toBe(0);
        expect(cut.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss');
        const green = await nsd('exec', file, 'red', ...ssh, '--', 'ping', '-n', '-c', '1', '-W', '2', '10.0.2.2');
        expect(green.code, show(green)).toBe(0);

        const failed = await nsd('verify', file, ...ssh);
        expect(failed.code, show(failed)).toBe(EXIT.probes);
        expect(failed.stdout, show(failed)).toMatch(/^red->blue .* reachable +unreachable +fail/m);
        expect(failed.stdout).toContain('the path has 100 % loss (netem on red-blue)');
        expect(failed.stdout).toMatch(/^red->green .* reachable +reachable +pass/m);

        expect((await onHost(lab, `kill ${started.output.trim()}`)).code).toBe(0);
        const down = await nsd('destroy', file, ...ssh);
        expect(down.code, show(down)).toBe(EXIT.ok);
        const left = await onHost(lab, 'ip netns list; tc qdisc show | grep netem; ls /run/nsd 2>/dev/null; true');
        expect(left.output).toBe('');
      } finally {
        rmSync(home, { recursive: true, force: true });
        await lab.stop();
      }
      expect(lab.processes()).toEqual([]);
    },
    TIMEOUT,
  );
});
