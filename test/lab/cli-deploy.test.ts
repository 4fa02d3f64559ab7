/**
 * `nsd deploy | verify | status | destroy` end to end against a real sshd in a sandbox lab
 * host, with the exit codes a script can rely on.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAR_LINE } from '../../src/cli/progress.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { requireSshd, withSshd } from './sshd.js';
import { nsdHome, nsdIn } from './nsd-home.js';
import { EXIT } from '../../src/shared/exit-codes.js';

const skip = requireSshd('the nsd deploy command tests (test/lab/cli-deploy.test.ts)');

describe.skipIf(skip)('nsd deploy over SSH', () => {
  it(
    'deploys, verifies, reports status and destroys the port-forward example, with exit codes per outcome',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const file = join(EXAMPLES_DIR, '05-port-forward.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const before = await sb.snapshot();

        const status0 = await nsd('status', file, ...ssh);
        expect(status0.code).toBe(EXIT.down);

        const up = await nsd('deploy', file, ...ssh);
        expect(up.code, up.stderr).toBe(EXIT.ok);
        // Sent as "bash -s", the script has no file on the host: it says to use nsd.
        expect(up.stdout).toContain('lab port-forward is up. Check it with: nsd verify 05-port-forward.json --host ...\n');
        expect(up.stderr).toMatch(/connected to root@198\.51\.100\.2:22 \(SHA256:/);

        const verify = await nsd('verify', file, ...ssh, '--json');
        expect(verify.code).toBe(EXIT.ok);
        const events = verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; probe?: { result: string } });
        expect(events[0]!.type).toBe('connected');
        expect(events.filter((e) => e.type === 'probe').map((e) => e.probe!.result)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
        expect(events.at(-1)!.type).toBe('finished');

        expect((await nsd('status', file, ...ssh)).code).toBe(EXIT.ok);
        // A cable set down on the host: verify fails, then inspects the lab and names the link as the cause.
        expect((await sb.lab(['ip', '-n', 'red', 'link', 'set', 'veth-red', 'down'])).code).toBe(0);
        const broken = await nsd('verify', file, ...ssh);
        expect(broken.code, broken.stderr).toBe(EXIT.probes);
        expect(broken.stderr).toContain('nsd: inspect: down       link red-vnet0: veth-red in red is set down\n');
        expect(broken.stderr).toMatch(/nsd: probe \S*red\S*, with what inspect saw: link red-vnet0 is down \(veth-red in red is set down\): it is on the path/);
        expect((await sb.lab(['ip', '-n', 'red', 'link', 'set', 'veth-red', 'up'])).code).toBe(0);
        // On a terminal the numbered step lines become one progress line on stderr, rewritten in place.
        const down = await nsdIn(home, { terminal: { stdout: true, stderr: true, columns: 100 } })('destroy', file, ...ssh);
        expect(down.code, down.stderr).toBe(EXIT.ok);
        expect(down.stdout).not.toMatch(/^\[ *\d+\/\d+\] /m);
        expect(down.stdout).toContain('lab port-forward is down.\n');
        expect(down.stderr).toMatch(new RegExp(`${CLEAR_LINE.replace(/[[\]\\]/g, '\\$&')}\\[ 1/\\d+\\] preflight  `));
        expect(down.stderr.endsWith(CLEAR_LINE)).toBe(true);
        expect(await sb.snapshot()).toBe(before);
      }),
    120_000,
  );

  it(
    'deploys an edited drawing over a running lab: the old parts go, verify passes, status is up, destroy leaves nothing',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const before = await sb.snapshot();
        expect((await nsd('deploy', join(EXAMPLES_DIR, '05-port-forward.json'), ...ssh)).code).toBe(EXIT.ok);

        // The edit of issue 9: blue and its link removed, red renamed green, new addresses, the port forward moved along.
        const doc = JSON.parse(
          (await readFile(join(EXAMPLES_DIR, '05-port-forward.json'), 'utf8')).replaceAll('192.168.15.', '192.168.25.').replaceAll('"red"', '"green"').replaceAll('red-vnet0', 'green-vnet0'),
        ) as { nodes: { id: string }[]; links: { id: string }[]; nat: { portForwards: { to: string }[] } };
        doc.nodes = doc.nodes.filter((n) => n.id !== 'blue');
        doc.links = doc.links.filter((l) => l.id !== 'blue-vnet0');
        doc.nat.portForwards[0]!.to = '192.168.25.1';
        const edited = join(home, 'edited.json');
        writeFileSync(edited, JSON.stringify(doc));

        const plan = await nsd('plan', edited, ...ssh);
        expect(plan.code, plan.stderr).toBe(EXIT.ok);
        expect(plan.stdout).toContain('- netns blue  [blue]\n');
        expect(plan.stdout).toContain('- route red default via 192.168.15.5  [red]\n');
        expect(plan.stdout).toContain('+ netns green  [green]\n');
        expect(plan.stdout).toContain('+ addr green veth-green 192.168.25.1/24  [green-vnet0]\n');
        expect(plan.stdout).toMatch(/^plan for lab port-forward: \d+ to add, \d+ to remove, 4 chain\(s\) to refill/m);
        expect((await sb.lab(['ip', 'netns', 'list'])).stdout).not.toContain('green');

        const apply = await nsd('deploy', edited, ...ssh);
        expect(apply.code, apply.stderr).toBe(EXIT.ok);
        const netns = (await sb.lab(['ip', 'netns', 'list'])).stdout;
        expect(netns).toContain('green');
        expect(netns).not.toMatch(/\b(red|blue)\b/);
        expect((await sb.lab(['ls', '/etc/netns'])).stdout.split('\n').filter(Boolean)).toEqual(['green']);
        expect((await sb.lab(['iptables-save', '-t', 'nat'])).stdout).not.toContain('192.168.15.');
        const verify = await nsd('verify', edited, ...ssh);
        expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(EXIT.ok);
        expect((await nsd('status', edited, ...ssh)).code).toBe(EXIT.ok);

        // Two deploys of the lab at once: one waits for the other; one state, no failure.
        const applied = await sb.snapshot();
        const both = await Promise.all([nsd('deploy', edited, ...ssh), nsd('deploy', edited, ...ssh)]);
        expect(both.map((r) => r.code), both.map((r) => r.stderr).join('\n')).toEqual([EXIT.ok, EXIT.ok]);
        expect(await sb.snapshot()).toBe(applied);

        // Destroy with the original drawing: the record, not the drawing, says what goes.
        expect((await nsd('destroy', join(EXAMPLES_DIR, '05-port-forward.json'), ...ssh)).code).toBe(EXIT.ok);
        expect(await sb.snapshot()).toBe(before);
      }),
    120_000,
  );

  it(
    'lists the labs on the host, destroys one by name without its drawing, and exits 12 while another run holds the lab',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const before = await sb.snapshot();
        const empty = await nsd('labs', ...ssh);
        expect(empty.code, empty.stderr).toBe(EXIT.ok);
        expect(empty.stdout).toContain('no lab on this host has a record in /run/nsd\n');

        // 04-nat beside 05-port-forward, with names of its own.
        const nat = join(home, 'nat.json');
        writeFileSync(nat, (await readFile(join(EXAMPLES_DIR, '04-nat.json'), 'utf8')).replaceAll('red', 'red2').replaceAll('blue', 'blue2').replaceAll('vnet0', 'vnet1').replaceAll('192.168.15.', '192.168.16.'));
        for (const file of [nat, join(EXAMPLES_DIR, '05-port-forward.json')]) {
          const up = await nsd('deploy', file, ...ssh);
          expect(up.code, up.stderr).toBe(EXIT.ok);
        }
        const labs = await nsd('labs', ...ssh);
        expect(labs.code, labs.stderr).toBe(EXIT.ok);
        const rows = labs.stdout.split('\n').filter((l) => /^(LAB|nat|port-forward) /.test(l));
        expect(rows[0]).toMatch(/^LAB +STATE +RECORDED +UPDATED +DRAWING +TITLE$/);
        expect(rows[1]).toMatch(/^nat +up +\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} +nat\.json +Outside access through NAT$/);
        expect(rows[2]).toMatch(/^port-forward +up +\d+ +.* +05-port-forward\.json +A web server in a namespace, reachable from outside$/);

        // Another run holds port-forward: destroy waits a few seconds, then refuses, changing nothing.
        const holder = sb.spawnAt('lab', ['flock', '/run/nsd/port-forward/lock', 'sh', '-c', 'echo locked; sleep 60']);
        await holder.waitFor(/locked/);
        const busy = await nsd('destroy', '--lab', 'port-forward', ...ssh);
        expect(busy.code).toBe(EXIT.busy);
        expect(busy.stderr).toContain('lab.sh: lab port-forward is busy');
        expect((await nsd('labs', ...ssh)).stdout).toMatch(/^port-forward +busy /m);
        await holder.stop();

        for (const lab of ['nat', 'port-forward']) {
          const down = await nsd('destroy', '--lab', lab, ...ssh);
          expect(down.code, down.stderr).toBe(EXIT.ok);
          expect(down.stdout).toContain(`lab ${lab} is down.\n`);
        }
        expect(await sb.snapshot()).toBe(before);

        const bad = await nsd('destroy', '--lab', '../etc', ...ssh);
        expect(bad.code).toBe(EXIT.usage);
        expect(bad.stderr).toContain('lab name "../etc" is not a valid name');
        expect((await nsd('destroy', '--lab', 'nat', join(EXAMPLES_DIR, '04-nat.json'), ...ssh)).code).toBe(EXIT.usage);
      }),
    120_000,
  );

  it(
    'refuses an unknown host key unless --accept-new, then remembers it',
    () =>
      withSshd(async (_sb, sshd) => {
        const { home, key } = nsdHome(sshd, false);
        const nsd = nsdIn(home);
        const file = join(EXAMPLES_DIR, '01-veth-pair.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const refused = await nsd('status', file, ...ssh);
        expect(refused.code).toBe(EXIT.connect);
        expect(refused.stderr).toMatch(/is not known \(SHA256:.*\) and was not trusted; nothing was run/);
        const store = join(home, '.config', 'netns-designer', 'known_hosts');
        // A refused login remembers nothing, and says no more than it did.
        const wrongKey = join(home, 'not-the-key');
        writeFileSync(wrongKey, sshd.users.alice.key, { mode: 0o600 });
        const refusedLogin = await nsdIn(home, {}, { NSD_SSH_PASSPHRASE: sshd.users.alice.passphrase })('status', file, '--host', `root@${sshd.host}`, '-i', wrongKey, '--socket', sshd.socketPath, '--accept-new');
        expect(refusedLogin.code).toBe(EXIT.connect);
        expect(refusedLogin.stderr).toMatch(/accepting the new host key of 198\.51\.100\.2:22 \(SHA256:\S+\) for this connection, as --accept-new says/);
        expect(refusedLogin.stderr).not.toMatch(/trusting|remembered/);
        expect(existsSync(store)).toBe(false);

        const accepted = await nsd('status', file, ...ssh, '--accept-new');
        expect(accepted.code).toBe(EXIT.down);
        expect(accepted.stderr).toContain(`remembered the host key of 198.51.100.2:22 (`);
        expect(accepted.stderr).toContain(`) in ${store}`);
        expect(await readFile(store, 'utf8')).toBe(sshd.knownHosts);
        expect((await nsd('status', file, ...ssh)).code).toBe(EXIT.down);
      }, { upstream: false }),
    120_000,
  );

  it(
    'exits 6 when a step fails, 7 when a probe fails, 8 at the time limit, 5 when sudo refuses and 4 when the login does',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const file = join(EXAMPLES_DIR, '02-bridge.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];

        // The lab is not up: its probes find nothing.
        const verify = await nsd('verify', file, ...ssh);
        expect(verify.code, verify.stderr).toBe(EXIT.probes);
        expect(verify.stderr).toMatch(/^nsd: probe \S+: /m);

        await sb.lab(['ip', 'link', 'add', 'vnet0', 'type', 'bridge']);
        const refused = await nsd('deploy', file, ...ssh);
        expect(refused.code).toBe(EXIT.script);
        expect(refused.stderr).toMatch(/^nsd: up failed at step 1\/\d+ \(preflight\): /m);
        await sb.lab(['ip', 'link', 'del', 'vnet0']);

        const slow = await nsd('deploy', file, ...ssh, '--timeout', '0.05');
        expect(slow.code, slow.stderr).toBe(EXIT.interrupted);
        expect((await nsd('destroy', file, ...ssh)).code).toBe(EXIT.ok);

        const bob = ['--host', `bob@${sshd.host}`, '--socket', sshd.socketPath];
        const sudo = await nsdIn(home, {}, { NSD_SSH_PASSWORD: sshd.users.bob.password, NSD_SUDO_PASSWORD: 'not it' })('deploy', file, ...bob, '--sudo');
        expect(sudo.code, sudo.stderr).toBe(EXIT.sudo);
        expect(sudo.stderr).toContain('nsd: sudo refused on the host');
        const login = await nsdIn(home, {}, { NSD_SSH_PASSWORD: 'not it' })('deploy', file, ...bob, '--sudo');
        expect(login.code).toBe(EXIT.connect);
      }, { upstream: false }),
    120_000,
  );

  it('rejects a deploy command without --host as a usage error', async () => {
    const r = await nsdIn(tmpdir())('deploy', join(EXAMPLES_DIR, '01-veth-pair.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"deploy" needs --host [user@]host[:port]');
  });
});
