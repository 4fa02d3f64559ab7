/**
 * `nsd lab up | status | down` for real: a sandbox lab host with its own namespaces and a real
 * sshd behind a unix socket, a root login with the generated key through OpenSSH's client, and
 * nothing left on the machine afterwards (no process, no mount, no change to the machine's own
 * links, addresses, routes, namespaces or iptables rules).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLabInfo, UPSTREAM_PAGE, type LabInfo } from '../../src/main/lab/lab-info.js';
import { enterLab, labDown, labNames, labOccupancy } from '../../src/main/lab/lab-host.js';
import { labPaths } from '../../src/main/lab/lab-scripts.js';
import { localDeployEnv } from '../../src/main/deploy/deploy-session.js';
import { RunRegistry } from '../../src/main/services/runs.js';
import type { TargetStore } from '../../src/main/services/types.js';
import type { EventMap, EventSink } from '../../src/shared/ipc/contract.js';
import { shellJoin } from '../../src/shared/compiler/shell.js';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { runNsd, type CliOutcome } from '../support/cli.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { hasTool, skipUnless } from '../support/tools.js';
import { processesInSessions, rootNamespaceReading } from './sandbox.js';
import { requireSshd } from './sshd.js';
import { EXIT } from '../../src/shared/exit-codes.js';

const skip = requireSshd('the nsd lab host tests (test/lab/lab-host.test.ts)');
const skipSsh = skip || skipUnless('the nsd lab OpenSSH login test', { 'ssh (openssh-client)': hasTool('ssh') });

type Outcome = CliOutcome;

let base = '';
const names: string[] = [];
const env = (): Record<string, string | undefined> => ({ ...process.env, NSD_LAB_DIR: base });

/** A lab name no other run uses, taken down in afterAll whatever happens. */
function uniqueName(what: string): string {
  const name = `t${process.pid}-${what}`;
  names.push(name);
  return name;
}

/** Runs `nsd ...` in-process with NSD_LAB_DIR pointing at this file's temp dir. */
const nsd = (...argv: string[]): Promise<Outcome> => runNsd(argv, { env: env() });

/** Mount points of the machine's own mount namespace (this process's). */
function mountPoints(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4])
    .sort()
    .join('\n');
}

/** Everything of the machine that a lab must not change. */
async function machineReading(): Promise<string> {
  return `${await rootNamespaceReading()}\n### mounts\n${mountPoints()}`;
}

/** Live processes whose pid namespace is `pidNs`. */
function processesInPidNamespace(pidNs: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) !== pidNs) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\S+ \(.*\) [ZX]/.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      // A connection being served (the status check's own banner read) is not a lab process, and
      // sshd's listener title counts connections in progress.
      if (/sshd(-session)?: .*\[(accepted|net|priv|preauth)\]|^sshd-session/.test(cmdline)) continue;
      found.push(`${entry} ${cmdline.replace(/\[listener\] \d+ of [\d-]+ startups/, '[listener]')}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** The machine's own directories a lab host keeps private copies of, with what they hold. */
function privateDirsOfMachine(): string {
  return ['/run/nsd', '/run/netns', '/run/sshd', '/etc/netns']
    .map((dir) => `${dir}: ${existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).sort().join(' ') : '(absent)'}`)
    .join('\n');
}

/** Runs argv inside lab `name`'s lab host (its network, mounts and pids). */
function inLabHost(name: string, argv: string[]): Promise<Outcome> {
  const [cmd, ...args] = [...enterLab(name, env()), ...argv];
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function readdirSafe(dir: string): string[] {
  return spawnSync('ls', ['-1', dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

/** The first line sshd sends through the lab's unix socket. */
function banner(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let data = '';
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no banner within 5 s, got ${JSON.stringify(data)}`))), 5_000);
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.includes('\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(data.split(/\r?\n/)[0] ?? '');
      }
    });
    s.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
}

/** A ProxyCommand that relays stdin/stdout to a unix socket (no nc needed). */
function relayCommand(socket: string): string {
  const code = "const s=require('net').connect(process.argv[1]);process.stdin.pipe(s);s.pipe(process.stdout);s.on('close',()=>process.exit(0))";
  return shellJoin([process.execPath, '-e', code, socket]);
}

/** Runs OpenSSH's ssh with a 30 s limit. */
function ssh(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code: code ?? -1, stdout, stderr })));
  });
}

/** Options that trust exactly `knownHostsFile` and log in with `key`, through the lab's socket. */
function sshOptions(info: LabInfo, key: string, knownHostsFile: string): string[] {
  return [
    '-F', '/dev/null',
    '-i', key,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `ProxyCommand=${relayCommand(info.socket)}`,
    `${info.user}@${info.host}`,
  ];
}

beforeAll(() => {
  // Under /run, like the default /run/nsd-lab: the lab host's private /run must keep it reachable.
  base = mkdtempSync('/run/nsd-lab-test-');
});

afterAll(async () => {
  for (const name of names) await labDown(name, env()).catch((e: Error) => console.error(`cleanup of lab ${name}: ${e.message}`));
  rmSync(base, { recursive: true, force: true });
});

describe.skipIf(skip).sequential('nsd lab', () => {
  const name = uniqueName('main');
  let before = '';
  let info: LabInfo;
  let pidNs = '';
  let sessions: number[] = [];

  it('builds a lab host with "nsd lab up --json" and writes its connection details to lab.json', async () => {
    before = await machineReading();
    const r = await nsd('lab', 'up', '--name', name, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    const printed = JSON.parse(r.stdout) as LabInfo & { created: boolean };
    expect(printed.created).toBe(true);
    const paths = labPaths(join(base, name));
    info = parseLabInfo(readFileSync(paths.labJson, 'utf8'));
    const { created: _created, ...fields } = printed;
    expect(fields).toEqual(info);
    expect(info).toMatchObject({ name, socket: paths.socket, user: 'root', privateKey: paths.clientKey, upstream: '203.0.113.1', uplink: 'eth0' });
    // The fingerprint is the SHA256 of the key blob in hostKeyLine, as OpenSSH prints it.
    const blob = Buffer.from(info.hostKeyLine.split(' ')[2]!, 'base64');
    expect(info.hostKeyFingerprint).toBe(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`);
    expect(readFileSync(info.knownHosts, 'utf8')).toBe(`${info.hostKeyLine}\n`);
    pidNs = readFileSync(paths.pidNamespace, 'utf8').trim();
    sessions = [paths.holderPid, paths.forwarderPid].map((p) => Number(readFileSync(p, 'utf8')));
    expect(processesInPidNamespace(pidNs).join('\n')).toMatch(/sshd/);
  });

  it('prints the same details for people without --json', async () => {
    const r = await nsd('lab', 'up', '--name', name);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^Lab ".*" is already up; nothing changed\./);
    for (const part of [info.socket, info.privateKey, info.hostKeyFingerprint, info.hostKeyLine, `nsd lab down --name ${name}`]) expect(r.stdout).toContain(part);
  });

  it('answers on the unix socket with the SSH banner of the lab host sshd', async () => {
    expect(await banner(info.socket)).toMatch(/^SSH-2\.0-OpenSSH/);
  });

  it.skipIf(skipSsh)('lets root in with the generated key and the pinned host key, inside the lab host', async () => {
    const knownHosts = join(base, `${name}.known_hosts`);
    writeFileSync(knownHosts, `${info.hostKeyLine}\n`);
    const script = [
      'echo "netns:[$(ip netns list)]"',
      'ip -o -4 addr show dev eth0',
      'ip route show default',
      'exec 3<>/dev/tcp/203.0.113.1/80; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; cat <&3',
    ].join('; ');
    const r = await ssh([...sshOptions(info, info.privateKey, knownHosts), script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The lab host's /run/netns is its own (empty), eth0 and the default route go upstream.
    expect(r.stdout).toContain('netns:[]');
    expect(r.stdout).toMatch(/eth0\s+inet 203\.0\.113\.2\/24/);
    expect(r.stdout).toContain('default via 203.0.113.1 dev eth0');
    expect(r.stdout).toMatch(/HTTP\/1\.1 200 OK[\s\S]*/);
    expect(r.stdout).toContain(UPSTREAM_PAGE);
  });

  it.skipIf(skipSsh)('logs in with the ssh_config it wrote ("ssh -F FILE lab")', async () => {
    const r = await ssh(['-F', info.sshConfig, '-o', 'BatchMode=yes', 'lab', 'ip', 'netns', 'list']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });

  it.skipIf(skipSsh)('is refused by OpenSSH when another host key is pinned', async () => {
    const other = join(base, `${name}.other-key`);
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = join(base, `${name}.wrong_known_hosts`);
    writeFileSync(wrong, `${info.host} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const r = await ssh([...sshOptions(info, info.privateKey, wrong), 'touch /tmp/nsd-lab-must-not-run']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('reports the holder, lab host, sshd and forwarder running with "nsd lab status"', async () => {
    const r = await nsd('lab', 'status', '--name', name, '--json');
    expect(r.code).toBe(EXIT.ok);
    const status = JSON.parse(r.stdout) as { state: string; problems: string[]; processes: Record<string, { alive: boolean }>; banner: string; lab: LabInfo };
    expect(status.state).toBe('healthy');
    expect(status.problems).toEqual([]);
    for (const part of ['holder', 'labHost', 'sshd', 'forwarder']) expect(status.processes[part]?.alive, part).toBe(true);
    expect(status.banner).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(status.lab).toEqual(info);
    const human = await nsd('lab', 'status', '--name', name);
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toMatch(/^Lab ".*" is up\.\n[\s\S]*sshd {8}running \(pid \d+\)/);
  });

  it('changes nothing when "up" runs again on the healthy lab', async () => {
    const paths = labPaths(join(base, name));
    const files = [paths.labJson, paths.holderPid, paths.forwarderPid, paths.hostKey, paths.clientKey];
    const contents = files.map((f) => readFileSync(f, 'utf8'));
    const processes = processesInPidNamespace(pidNs);
    const r = await nsd('lab', 'up', '--name', name, '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toEqual({ ...info, created: false });
    expect(files.map((f) => readFileSync(f, 'utf8'))).toEqual(contents);
    expect(processesInPidNamespace(pidNs)).toEqual(processes);
  });

  it('gives the machine own namespace no link, address, route, netns, rule or mount while it is up', async () => {
    expect(await machineReading()).toBe(before);
  });

  it('kills everything with "nsd lab down" and leaves nothing behind', async () => {
    const r = await nsd('lab', 'down', '--name', name);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toContain(`Lab "${name}" is down`);
    expect(existsSync(join(base, name))).toBe(false);
    expect(processesInPidNamespace(pidNs)).toEqual([]);
    expect(processesInSessions(sessions)).toEqual([]);
    expect(await machineReading()).toBe(before);
    const status = await nsd('lab', 'status', '--name', name);
    expect(status.code).toBe(EXIT.down);
    expect(status.stdout).toContain('does not exist');
    // down is idempotent.
    const again = await nsd('lab', 'down', '--name', name);
    expect(again.code).toBe(EXIT.ok);
    expect(again.stdout).toContain('nothing to do');
  });
});

describe.skipIf(skip).sequential('nsd lab after a crash', () => {
  it('cleans up with "down" after sshd died (partly up) and after the holder was killed by hand', async () => {
    const name = uniqueName('crash');
    const before = await machineReading();
    const up = await nsd('lab', 'up', '--name', name);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(EXIT.ok);
    const paths = labPaths(join(base, name));
    const pidNs = readFileSync(paths.pidNamespace, 'utf8').trim();
    const holderPid = Number(readFileSync(paths.holderPid, 'utf8'));
    const sessions = [holderPid, Number(readFileSync(paths.forwarderPid, 'utf8'))];

    // sshd dies: partly up; `up` refuses to build over it.
    const sshd = processesInPidNamespace(pidNs).find((p) => / sshd: .*\[listener\]/.test(` ${p}`) || /\bsshd\b.*-D/.test(p));
    expect(sshd, processesInPidNamespace(pidNs).join('\n')).toBeDefined();
    process.kill(Number(sshd!.split(' ')[0]), 'SIGKILL');
    let status: Outcome | undefined;
    // The socket may stop answering a moment before the killed sshd is reaped: wait for both.
    for (let i = 0; i < 50; i++) {
      status = await nsd('lab', 'status', '--name', name);
      if (status.code !== EXIT.ok && status.stdout.includes('sshd is not running')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status?.code).toBe(EXIT.partlyUp);
    expect(status?.stdout).toContain('sshd is not running');
    const refused = await nsd('lab', 'up', '--name', name);
    expect(refused.code).toBe(EXIT.partlyUp);
    expect(refused.stderr).toMatch(/partly up .*take it down first: nsd lab down --name/);

    // The holder is killed by hand: the kernel takes the whole lab down with it.
    process.kill(holderPid, 'SIGKILL');
    for (let i = 0; i < 100 && processesInPidNamespace(pidNs).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    const down = await nsd('lab', 'status', '--name', name);
    expect(down.code).toBe(EXIT.down);
    expect(down.stdout).toMatch(/is down \(its processes are gone\)/);
    expect(existsSync(paths.dir)).toBe(true);

    const r = await nsd('lab', 'down', '--name', name);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect(existsSync(paths.dir)).toBe(false);
    expect(processesInPidNamespace(pidNs)).toEqual([]);
    expect(processesInSessions(sessions)).toEqual([]);
    expect(await machineReading()).toBe(before);
  });

  it('builds a fresh lab over the leftovers of a crashed one', async () => {
    const name = uniqueName('stale');
    expect((await nsd('lab', 'up', '--name', name)).code).toBe(EXIT.ok);
    const paths = labPaths(join(base, name));
    const oldKey = readFileSync(paths.hostKey, 'utf8');
    process.kill(Number(readFileSync(paths.holderPid, 'utf8')), 'SIGKILL');
    const pidNs = readFileSync(paths.pidNamespace, 'utf8').trim();
    for (let i = 0; i < 100 && processesInPidNamespace(pidNs).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    const r = await nsd('lab', 'up', '--name', name, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.ok);
    expect((JSON.parse(r.stdout) as { created: boolean }).created).toBe(true);
    expect(readFileSync(paths.hostKey, 'utf8')).not.toBe(oldKey);
    expect(await banner(paths.socket)).toMatch(/^SSH-2\.0-OpenSSH/);
    expect((await nsd('lab', 'down', '--name', name)).code).toBe(EXIT.ok);
    expect(existsSync(paths.dir)).toBe(false);
  });
});

describe.skipIf(skip).sequential('nsd deploy to a lab host from nsd lab up', () => {
  it('deploys the port-forward example with the command "nsd lab up" prints, verifies it green, destroys it, and "nsd lab down" leaves the machine as it was', async () => {
    const name = uniqueName('deploy');
    const before = await machineReading();
    const machineDirs = privateDirsOfMachine();
    const up = await nsd('lab', 'up', '--name', name);
    expect(up.code, up.stderr).toBe(EXIT.ok);
    // lab.sh run on the machine itself removes its /run/nsd (and the DNS directories) when empty,
    // as any process of the machine may: what the lab host keeps must not hang on such a directory
    // (a lab host that mounted its private /run/nsd there lost it and wrote its state into the
    // machine's). Only directories that were not there before the lab host came are removed.
    for (const dir of ['/run/nsd', '/etc/netns']) {
      if (!machineDirs.includes(`${dir}: (absent)`) || !existsSync(dir)) continue;
      try {
        rmdirSync(dir);
      } catch {
        // not empty: something else of the machine uses it now
      }
    }
    const info = parseLabInfo(readFileSync(labPaths(join(base, name)).labJson, 'utf8'));

    // The deploy command exactly as printed, FILE filled in; a HOME of its own keeps the trusted key out of root's.
    const printed = /^ {2}nsd (deploy FILE --host .*)$/m.exec(up.stdout)?.[1];
    expect(printed, up.stdout).toBeDefined();
    const [, , ...options] = printed!.split(' ');
    const file = join(EXAMPLES_DIR, '05-port-forward.json');
    const home = mkdtempSync(join(tmpdir(), 'nsd-lab-home-'));
    const deploy = (...argv: string[]): Promise<Outcome> => runNsd(argv, { env: { ...env(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' } });
    const ssh = options;
    const appStore = join(home, '.config', 'netns-designer', 'known_hosts');
    try {
      const built = await deploy('deploy', file, ...options);
      expect(built.code, built.stderr).toBe(EXIT.ok);
      expect(built.stderr).toContain(`nsd: connected to root@${info.host}:${info.port} (${info.hostKeyFingerprint})`);
      expect(built.stdout).toContain('lab port-forward is up.');
      // Trusted by the lab's own lab.json: nothing asked, nothing written to known_hosts.
      expect(built.stderr).not.toMatch(/accepting|remembered/);
      expect(existsSync(appStore)).toBe(false);
      // lab.sh keeps its state in the lab host's private /run/nsd; the machine's gains nothing.
      expect((await inLabHost(name, ['ls', '/run/nsd'])).stdout).toContain('port-forward');
      // What occupies the lab host: the lab, found by the tag on its namespaces, since about now.
      const occupancy = labOccupancy(name, env());
      expect(occupancy.untagged).toEqual([]);
      expect(occupancy.occupants.map((o) => o.lab)).toEqual(['port-forward']);
      // ...and the drawing it came from, as lab.sh's about file in the lab host's /run/nsd names it.
      const drawing = JSON.parse(readFileSync(file, 'utf8')) as { title: string };
      expect(occupancy.occupants[0]).toMatchObject({ drawing: '05-port-forward.json', title: drawing.title });
      expect(occupancy.occupants[0]!.namespaces.length).toBeGreaterThan(0);
      expect(Math.abs(Date.parse(occupancy.occupants[0]!.since!) - Date.now())).toBeLessThan(120_000);
      expect(labNames(env())).toContain(name);
      const status = await nsd('lab', 'status', '--name', name);
      expect(status.stdout).toContain(`  holds       lab port-forward from 05-port-forward.json (${JSON.stringify(drawing.title)}): `);
      expect(JSON.parse((await nsd('lab', 'status', '--name', name, '--json')).stdout)).toMatchObject({ occupancy: { occupants: [{ lab: 'port-forward' }], untagged: [] } });
      expect(privateDirsOfMachine()).toBe(machineDirs);

      const verify = await deploy('verify', file, ...ssh, '--json');
      expect(verify.code, verify.stdout).toBe(EXIT.ok);
      const events = verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
      expect(events[0]).toMatchObject({ type: 'connected', host: `${info.host}:${info.port}`, user: 'root', fingerprint: info.hostKeyFingerprint });
      const probes = events.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
      expect(probes.length).toBeGreaterThan(0);
      expect(probes.filter((p) => p.result !== 'pass'), JSON.stringify(probes)).toEqual([]);
      // The "internet" of the lab host answered: blue reached 203.0.113.1 through the lab's MASQUERADE.
      expect(probes.some((p) => p.address === info.upstream && p.expect === 'reachable')).toBe(true);

      expect((await deploy('status', file, ...ssh)).code).toBe(EXIT.ok);
      const destroyed = await deploy('destroy', file, ...ssh);
      expect(destroyed.code, destroyed.stderr).toBe(EXIT.ok);
      expect((await deploy('status', file, ...ssh)).code).toBe(EXIT.down);
      expect(labOccupancy(name, env())).toEqual({ occupants: [], untagged: [] });
      // lab.sh removed its (empty) /run/nsd: a directory of the lab host's private /run, which is still mounted.
      // (The lab host's /run lies over the holder's, which is private as well: the last line is the one in use.)
      expect((await inLabHost(name, ['findmnt', '-n', '-o', 'TARGET,FSTYPE,SOURCE', '-T', '/run'])).stdout.trim().split('\n').at(-1)!.split(/\s+/)).toEqual(['/run', 'tmpfs', 'nsd-lab[/run]']);
      expect((await inLabHost(name, ['findmnt', '-n', '-o', 'TARGET,FSTYPE', '-T', '/etc/netns'])).stdout.trim().split(/\s+/)).toEqual(['/etc/netns', 'tmpfs']);
      expect(privateDirsOfMachine()).toBe(machineDirs);
      // Nothing of the lab ever reached the machine's own network.
      expect(await machineReading()).toBe(before);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }

    const down = await nsd('lab', 'down', '--name', name);
    expect(down.code, down.stderr).toBe(EXIT.ok);
    expect(await machineReading()).toBe(before);
    expect(privateDirsOfMachine()).toBe(machineDirs);
    // Seven commands over SSH and two lab host builds: about 4.5 s on an idle machine, past the 5 s default on a busy one.
  }, 120_000);
});

describe.skipIf(skip).sequential('nsd deploy to a rebuilt lab host', () => {
  it('deploys with the same printed command after "nsd lab down; nsd lab up" gave the lab host a new key, as does the designer\'s run to it, and never writes its key into known_hosts', async () => {
    const name = uniqueName('rebuild');
    const home = mkdtempSync(join(tmpdir(), 'nsd-lab-home-'));
    const deploy = (...argv: string[]): Promise<Outcome> => runNsd(argv, { env: { ...env(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' } });
    const file = join(EXAMPLES_DIR, '01-veth-pair.json');
    const appStore = join(home, '.config', 'netns-designer', 'known_hosts');
    const command = (stdout: string): string[] => /^ {2}nsd deploy FILE (--host .*)$/m.exec(stdout)![1]!.split(' ');
    try {
      const first = await nsd('lab', 'up', '--name', name);
      expect(first.code, first.stderr).toBe(EXIT.ok);
      const firstInfo = parseLabInfo(readFileSync(labPaths(join(base, name)).labJson, 'utf8'));
      // As the README used to print it, with --accept-new: that once stored the throwaway key.
      const options = [...command(first.stdout), '--accept-new'];
      const built = await deploy('deploy', file, ...options);
      expect(built.code, built.stderr).toBe(EXIT.ok);
      expect((await deploy('destroy', file, ...options)).code).toBe(EXIT.ok);
      expect(existsSync(appStore)).toBe(false);

      expect((await nsd('lab', 'down', '--name', name)).code).toBe(EXIT.ok);
      const second = await nsd('lab', 'up', '--name', name);
      expect(second.code, second.stderr).toBe(EXIT.ok);
      const secondInfo = parseLabInfo(readFileSync(labPaths(join(base, name)).labJson, 'utf8'));
      expect(secondInfo.hostKeyFingerprint).not.toBe(firstInfo.hostKeyFingerprint);
      expect(command(second.stdout)).toEqual(command(first.stdout));
      // A stale line for the lab address, as an older nsd left it in the app's store: through the socket it is not consulted.
      mkdirSync(join(home, '.config', 'netns-designer'), { recursive: true });
      writeFileSync(appStore, `${firstInfo.hostKeyLine}\n`);

      const again = await deploy('deploy', file, ...options);
      expect(again.code, again.stderr).toBe(EXIT.ok);
      expect(again.stderr).toContain(`(${secondInfo.hostKeyFingerprint})`);
      expect((await deploy('destroy', file, ...options)).code).toBe(EXIT.ok);

      // The designer's run to the same lab host (its target list's lab:NAME) is not blocked by the stale line either.
      const designerEnv = { ...env(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' };
      const runs = new RunRegistry({ targets: {} as TargetStore, env: designerEnv, deployEnv: localDeployEnv(designerEnv) });
      const events: RunEvent[] = [];
      const prompts: unknown[] = [];
      const ended = new Promise<void>((resolve) => {
        const sink: EventSink = {
          send(channel, payload) {
            if (channel === 'run:host-key-prompt') prompts.push(payload);
            if (channel !== 'run:event') return;
            const { event } = payload as EventMap['run:event'];
            events.push(event);
            if (event.type === 'finished') resolve();
          },
        };
        void runs.start({ doc: JSON.parse(readFileSync(file, 'utf8')) as unknown, target: { kind: 'lab', name }, action: 'status' }, sink).then((started) => {
          if (!started.ok) throw new Error(started.message);
        });
      });
      await ended;
      expect(prompts).toEqual([]);
      expect(events.filter((e) => e.type === 'error'), JSON.stringify(events)).toEqual([]);
      expect(events[0]).toMatchObject({ type: 'connected', fingerprint: secondInfo.hostKeyFingerprint });
      expect(readFileSync(appStore, 'utf8')).toBe(`${firstInfo.hostKeyLine}\n`);
      expect(existsSync(join(home, '.ssh', 'known_hosts'))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    expect((await nsd('lab', 'down', '--name', name)).code).toBe(EXIT.ok);
  }, 60_000);
});

describe('nsd lab usage', () => {
  it.each([
    [['lab'], /"lab" needs an action/],
    [['lab', 'start'], /unknown lab action "start"/],
    [['lab', 'up', '--name', 'a/b'], /--name: lab name "a\/b"/],
    [['lab', 'up', '--host', 'x'], /"lab" does not take --host/],
    [['lab', 'down', '--json'], /"lab down" does not take --json/],
  ])('refuses nsd %j with exit 2', async (argv, message) => {
    const r = await nsd(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('reports a lab that does not exist: status exit 10, down exit 0', async () => {
    const status = await nsd('lab', 'status', '--name', 'never-made', '--json');
    expect(status.code).toBe(EXIT.down);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'never-made', state: 'absent', lab: null });
    expect((await nsd('lab', 'down', '--name', 'never-made')).code).toBe(EXIT.ok);
  });
});
