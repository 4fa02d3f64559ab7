/**
 * `nsd exec | shell | capture` end to end against a real sshd in a sandbox lab host, into a
 * deployed lab: output, exit statuses, a PTY shell, a ping captured to a pcap, and nothing left
 * running on the host afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/shared/exit-codes.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { requireSshd, withSshd } from './sshd.js';
import { nsdHome, nsdIn } from './nsd-home.js';
import { processesWith, until } from '../support/processes.js';

const skip = requireSshd('the nsd exec/shell/capture tests (test/lab/cli-live.test.ts)');

const FILE = join(EXAMPLES_DIR, '01-veth-pair.json');

describe.skipIf(skip)('nsd exec, shell and capture over SSH', () => {
  it(
    'runs commands in a namespace with their output and exit status, and a stop leaves nothing running',
    () =>
      withSshd(async (_sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        expect((await nsd('deploy', FILE, ...ssh)).code).toBe(EXIT.ok);

        const addr = await nsd('exec', FILE, 'red', ...ssh, '--', 'ip', '-br', 'addr');
        expect(addr.code, addr.stderr).toBe(0);
        expect(addr.stdout).toMatch(/^veth-red@\S+\s+UP\s+192\.168\.15\.1\/24/m);
        expect(addr.stdout).not.toContain('veth-blue');

        const status = await nsd('exec', FILE, 'blue', ...ssh, '--', 'sh', '-c', 'echo "to out"; echo "to err" >&2; exit 3');
        expect(status).toMatchObject({ code: 3, stdout: 'to out\n' });
        expect(status.stderr).toContain('to err\n');
        const ping = await nsd('exec', FILE, 'blue', ...ssh, '--', 'ping', '-c', '1', '-W', '1', '192.168.15.1');
        expect(ping.code, ping.stderr).toBe(0);
        expect(ping.stdout).toContain('1 received');

        const bad = await nsd('exec', FILE, 'green', ...ssh, '--', 'true');
        expect(bad.code).toBe(EXIT.usage);
        expect(bad.stderr).toContain('node "green" is not in lab veth-pair; pick one of: red, blue');

        // Ctrl-C: the command's process group ends on the host.
        const sleeping = nsd('exec', FILE, 'red', ...ssh, '--', 'sleep', '4711');
        await until('sleep to start', () => processesWith('sleep 4711').length > 0);
        process.emit('SIGINT');
        expect((await sleeping).code).toBe(130);
        await until('sleep to end', () => processesWith('sleep 4711').length === 0);

        // A login that is not root goes through sudo, with a password.
        const bob = nsdIn(home, {}, { NSD_SSH_PASSWORD: sshd.users.bob.password, NSD_SUDO_PASSWORD: sshd.users.bob.password });
        const viaSudo = await bob('exec', FILE, 'red', '--host', `bob@${sshd.host}`, '--socket', sshd.socketPath, '--sudo', '--', 'sh', '-c', 'id -u; exit 4');
        expect(viaSudo.stdout, viaSudo.stderr).toBe('0\n');
        expect(viaSudo.code).toBe(4);
        expect((await nsd('destroy', FILE, ...ssh)).code).toBe(EXIT.ok);
      }, { upstream: false }),
    120_000,
  );

  it(
    'opens an interactive shell on a PTY in the namespace',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        expect((await nsdIn(home)('deploy', FILE, ...ssh)).code).toBe(EXIT.ok);

        const keyboard = new PassThrough();
        keyboard.write('tty; ip -br addr\n');
        keyboard.write('exit 0\n');
        const shell = await nsdIn(home, { stdin: keyboard })('shell', FILE, 'red', ...ssh);
        expect(shell.code, shell.stderr).toBe(0);
        expect(shell.stdout).toMatch(/^\/dev\/pts\/\d+\r$/m);
        expect(shell.stdout).toMatch(/veth-red@\S+\s+UP\s+192\.168\.15\.1\/24/);
        expect(shell.stdout).toContain('red:');
        // Only this sandbox's: the designer's terminal test may have shells open on the machine.
        expect(processesWith('bash --norc -i', await sb.netnsIds())).toEqual([]);

        // With sudo and a password, the password is never echoed on the terminal.
        const password = sshd.users.bob.password;
        const bobKeys = new PassThrough();
        bobKeys.write('id -u\nexit 0\n');
        const bob = await nsdIn(home, { stdin: bobKeys }, { NSD_SSH_PASSWORD: password, NSD_SUDO_PASSWORD: password })('shell', FILE, 'blue', '--host', `bob@${sshd.host}`, '--socket', sshd.socketPath, '--sudo');
        expect(bob.code, bob.stderr).toBe(0);
        expect(bob.stdout).toMatch(/^0\r$/m);
        expect(bob.stdout).not.toContain(password);
        expect((await nsdIn(home)('destroy', FILE, ...ssh)).code).toBe(EXIT.ok);
      }, { upstream: false }),
    120_000,
  );

  it(
    'captures a ping on a link to a pcap that tcpdump reads back, and as summaries until Ctrl-C',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        expect((await nsd('deploy', FILE, ...ssh)).code).toBe(EXIT.ok);
        // Only this test's lab host: another test may capture on a veth-red of its own meanwhile.
        const mine = await sb.netnsIds();
        const out = join(home, 'ping.pcap');

        const capture = nsd('capture', FILE, 'red-blue', ...ssh, '-c', '4', '-w', out, 'icmp');
        await until('tcpdump to start', () => processesWith('tcpdump -i veth-red', mine).length > 0);
        await new Promise((r) => setTimeout(r, 300));
        const ping = await nsd('exec', FILE, 'blue', ...ssh, '--', 'ping', '-c', '2', '-i', '0.2', '192.168.15.1');
        expect(ping.code, ping.stderr).toBe(0);
        const captured = await capture;
        expect(captured.code, captured.stderr).toBe(0);
        expect(readdirSync(home).filter((f) => f.endsWith('.part'))).toEqual([]);
        const packets = execFileSync('tcpdump', ['-r', out, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
        expect(packets).toHaveLength(4);
        expect(packets.filter((p) => p.includes('192.168.15.2 > 192.168.15.1: ICMP echo request'))).toHaveLength(2);
        expect(packets.filter((p) => p.includes('192.168.15.1 > 192.168.15.2: ICMP echo reply'))).toHaveLength(2);
        expect(processesWith('tcpdump -i veth-red', mine)).toEqual([]);

        const live = nsd('capture', FILE, 'red-blue.b', ...ssh, 'icmp');
        await until('tcpdump on end b to start', () => processesWith('tcpdump -i veth-blue', mine).length > 0);
        await new Promise((r) => setTimeout(r, 300));
        expect((await nsd('exec', FILE, 'red', ...ssh, '--', 'ping', '-c', '1', '192.168.15.2')).code).toBe(0);
        await new Promise((r) => setTimeout(r, 500));
        process.emit('SIGINT');
        const summary = await live;
        expect(summary.code, summary.stderr).toBe(0);
        expect(summary.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d+ IP 192\.168\.15\.1 > 192\.168\.15\.2: ICMP echo request/m);
        expect(summary.stdout).toMatch(/IP 192\.168\.15\.2 > 192\.168\.15\.1: ICMP echo reply/);
        await until('tcpdump to end', () => processesWith('tcpdump -i veth-blue', mine).length === 0);

        const missing = await nsd('capture', FILE, 'nope', ...ssh);
        expect(missing.code).toBe(EXIT.usage);
        expect(existsSync(join(home, 'nope'))).toBe(false);
        expect((await nsd('destroy', FILE, ...ssh)).code).toBe(EXIT.ok);
      }, { upstream: false }),
    120_000,
  );
});
