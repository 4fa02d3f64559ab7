/**
 * A real sshd inside a sandbox lab host, reachable from this test process through a unix
 * socket: a forwarder inside the lab host pipes each connection to sshd, so the machine's own
 * network is never touched. Keys are generated per sshd; root logs in with a key.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CompileResult } from '../../src/shared/compiler/index.js';
import type { RunAction, RunEvent } from '../../src/shared/deploy/events.js';
import { connect, type ConnectOptions, type Connection } from '../../src/main/ssh/connection.js';
import { parseKnownHosts } from '../../src/main/ssh/known-hosts.js';
import { runAction, type RunOptions, type RunOutcome } from '../../src/main/ssh/runner.js';
import { hasTool, skipUnless } from '../support/tools.js';
import { requireLab, withSandbox, type BackgroundProcess, type Sandbox, type SandboxOptions } from './sandbox.js';
import { LAB_NET } from '../../src/main/lab/lab-info.js';

/** Pipes every connection on a unix socket to host:port (run inside the lab host). */
const FORWARDER = `
const net = require('node:net');
const [sock, host, port] = process.argv.slice(1);
net.createServer((c) => {
  const s = net.connect(Number(port), host);
  c.pipe(s); s.pipe(c);
  c.on('error', () => s.destroy()); s.on('error', () => c.destroy());
}).listen(sock, () => console.log('forwarding'));
`;

export interface Sshd {
  /** Connect a fresh stream to sshd (hand it to ssh2 as `sock`). */
  socket(): Socket;
  /** The unix socket that leads to sshd. */
  socketPath: string;
  /** The lab host's address as ssh2 should see it (for known_hosts). */
  host: string;
  port: number;
  /** Client private key of root (OpenSSH format). */
  rootKey: string;
  /** A known_hosts text that trusts this sshd. */
  knownHosts: string;
  /** Public host key blob as base64. */
  hostKeyBase64: string;
  /** What the last `bash` started over SSH as root read on its standard input. */
  received(): string;
  /** alice: key with a passphrase, NOPASSWD sudo. bob: password login, sudo with password. */
  users: {
    alice: { key: string; passphrase: string };
    bob: { password: string };
  };
  /** Starts an ssh-agent holding root's key; stop() ends it. */
  startAgent(): Promise<{ socket: string; stop(): void }>;
  /** Cuts every open SSH connection (kills the listener's per-connection children); new ones still work. */
  dropConnections(): void;
  /** Kills sshd (existing sessions die with it). */
  kill(): Promise<void>;
  /** Starts sshd again with the same keys. */
  restart(): Promise<void>;
  /** Kills the listener and every session it forked, as a crash or `systemctl kill` would. */
  killAll(): Promise<void>;
  /** Gives sshd a new host key and restarts it (a reinstalled host); returns the new known_hosts text. */
  rotateHostKey(): Promise<string>;
  /** What sshd logged so far (LogLevel VERBOSE: accepted methods, refusals). */
  log(): string;
  /** A directory first on the PATH of SSH sessions: a wrapper dropped here injects a fault. */
  shimDir: string;
}

export interface SshdOptions {
  /**
   * Use PAM (a private /etc/pam.d/sshd with pam_unix only) so keyboard-interactive logins work:
   * without PAM, OpenSSH on Linux has no keyboard-interactive device at all.
   */
  pam?: boolean;
}

/** A PAM stack for sshd that checks the lab's private /etc/shadow and nothing else. */
const PAM_SSHD = ['auth required pam_unix.so', 'account required pam_unix.so', 'password required pam_deny.so', 'session required pam_permit.so', ''].join('\n');

function keygen(path: string, comment: string, passphrase = ''): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
}

/** A fresh private key that no sshd trusts (for wrong-key tests). */
export function strangerKey(dir: string): string {
  const path = join(dir, `stranger-${process.pid}-${Date.now()}`);
  keygen(path, 'nsd-test-stranger');
  return readFileSync(path, 'utf8');
}

/**
 * Users alice (uid 5001) and bob (5002) that exist only inside the lab host: private copies of
 * /etc/passwd, /etc/shadow, /etc/group and /etc/sudoers.d are bind-mounted there, never
 * written on the real machine. alice has NOPASSWD sudo, bob sudo with his password.
 */
async function privateUsers(sb: Sandbox, dir: string, bobPassword: string): Promise<void> {
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'sudoers.d'), { recursive: true, mode: 0o755 });
  const hash = spawnSync('/usr/bin/python3', ['-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))', bobPassword], { encoding: 'utf8' });
  if (hash.status !== 0) throw new Error(`cannot hash a password: ${hash.stderr}`);
  const users = [
    { name: 'alice', uid: 5001, shadow: '*' },
    { name: 'bob', uid: 5002, shadow: hash.stdout.trim() },
  ];
  let passwd = readFileSync('/etc/passwd', 'utf8');
  let group = readFileSync('/etc/group', 'utf8');
  let shadow = readFileSync('/etc/shadow', 'utf8');
  for (const u of users) {
    const home = join(dir, 'users', u.name);
    mkdirSync(home, { recursive: true, mode: 0o755 });
    chownSync(home, u.uid, u.uid);
    passwd += `${u.name}:x:${u.uid}:${u.uid}::${home}:/bin/bash\n`;
    group += `${u.name}:x:${u.uid}:\n`;
    shadow += `${u.name}:${u.shadow}:19000:0:99999:7:::\n`;
  }
  writeFileSync(join(etc, 'passwd'), passwd, { mode: 0o644 });
  writeFileSync(join(etc, 'group'), group, { mode: 0o644 });
  writeFileSync(join(etc, 'shadow'), shadow, { mode: 0o640 });
  writeFileSync(join(etc, 'sudoers.d', 'nsd-test'), 'alice ALL=(ALL) NOPASSWD: ALL\nbob ALL=(ALL) ALL\n', { mode: 0o440 });
  for (const f of ['passwd', 'group', 'shadow', 'sudoers.d']) {
    const r = await sb.lab(['mount', '--bind', join(etc, f), `/etc/${f}`]);
    if (r.code !== 0) throw new Error(`cannot bind /etc/${f} in the lab host: ${r.stderr}`);
  }
}

/** Starts sshd in the sandbox's lab host, with a generated host key and root key. */
export async function startSshd(sb: Sandbox, options: SshdOptions = {}): Promise<Sshd> {
  const dir = join(sb.tmpDir, 'sshd');
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  keygen(join(dir, 'keys', 'host'), 'nsd-test-host');
  keygen(join(dir, 'keys', 'root'), 'nsd-test-root');
  const alicePassphrase = 'alice secret phrase';
  keygen(join(dir, 'keys', 'alice'), 'nsd-test-alice', alicePassphrase);
  // Users read their own authorized_keys and run the shim, so these must be reachable for them.
  chmodSync(sb.tmpDir, 0o755);
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'authorized_keys'), { mode: 0o755 });
  writeFileSync(join(dir, 'authorized_keys', 'root'), readFileSync(join(dir, 'keys', 'root.pub')));
  writeFileSync(join(dir, 'authorized_keys', 'alice'), readFileSync(join(dir, 'keys', 'alice.pub')), { mode: 0o644 });
  const bobPassword = 'bob sudo pw';
  await privateUsers(sb, dir, bobPassword);
  const host = LAB_NET.mgmtAddress;
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${host}`,
      'Port 22',
      `HostKey ${join(dir, 'keys', 'host')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}/%u`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication yes',
      `KbdInteractiveAuthentication ${options.pam ? 'yes' : 'no'}`,
      `UsePAM ${options.pam ? 'yes' : 'no'}`,
      'StrictModes no',
      'LogLevel VERBOSE',
      // A bash on PATH that keeps a copy of what it reads, so a test can compare the bytes.
      `SetEnv PATH=${join(dir, 'shim')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'shim'), { recursive: true, mode: 0o755 });
  mkdirSync(join(dir, 'received'), { mode: 0o1777 });
  chmodSync(join(dir, 'received'), 0o1777);
  // An interactive bash on a terminal (nsd shell) keeps its terminal: only piped input is recorded.
  writeFileSync(join(dir, 'shim', 'bash'), `#!/bin/sh\n[ -t 0 ] && exec /bin/bash "$@"\ntee "${join(dir, 'received')}/$(id -un)" | /bin/bash "$@"\n`, { mode: 0o755 });
  // A clean home for root inside the lab host only: this machine's ~/.bashrc (pyenv init) reads
  // standard input, which a non-interactive SSH session's bash sources before the command.
  mkdirSync(join(dir, 'home'), { recursive: true, mode: 0o700 });
  const bound = await sb.lab(['mount', '--bind', join(dir, 'home'), '/root']);
  if (bound.code !== 0) throw new Error(`cannot give root a clean home in the lab host: ${bound.stderr}`);
  if (options.pam) {
    writeFileSync(join(dir, 'etc', 'pam-sshd'), PAM_SSHD, { mode: 0o644 });
    const pam = await sb.lab(['mount', '--bind', join(dir, 'etc', 'pam-sshd'), '/etc/pam.d/sshd']);
    if (pam.code !== 0) throw new Error(`cannot bind /etc/pam.d/sshd in the lab host: ${pam.stderr}`);
  }
  let daemon: BackgroundProcess | undefined;
  let logged = '';
  const start = async (): Promise<void> => {
    if (daemon) logged += daemon.output();
    daemon = sb.spawnAt('lab', ['/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')]);
    await daemon.waitFor(/Server listening on/, 10_000);
  };
  await start();
  const socketPath = join(dir, 'ssh.sock');
  const forwarder = sb.spawnAt('lab', [process.execPath, '-e', FORWARDER, socketPath, host, '22']);
  await forwarder.waitFor(/forwarding/, 10_000);
  const hostKeyBase64 = readFileSync(join(dir, 'keys', 'host.pub'), 'utf8').split(' ')[1]!;
  const killAll = async (): Promise<void> => {
    // Sessions are children of the listener (each in its own session after setsid): end them first.
    if (daemon) spawnSync('pkill', ['-KILL', '-P', String(daemon.pid)]);
    await daemon?.stop();
  };
  // Sessions leave the listener's process group (sshd calls setsid), so Sandbox.destroy() would
  // miss them: a hung run would outlive its test. End them first.
  const destroy = sb.destroy.bind(sb);
  sb.destroy = async () => {
    await killAll();
    await destroy();
  };
  return {
    socket: () => netConnect(socketPath),
    socketPath,
    host,
    port: 22,
    rootKey: readFileSync(join(dir, 'keys', 'root'), 'utf8'),
    knownHosts: `${host} ssh-ed25519 ${hostKeyBase64}\n`,
    hostKeyBase64,
    received: () => readFileSync(join(dir, 'received', 'root'), 'utf8'),
    users: { alice: { key: readFileSync(join(dir, 'keys', 'alice'), 'utf8'), passphrase: alicePassphrase }, bob: { password: bobPassword } },
    startAgent: async () => {
      const socket = join(dir, `agent-${Date.now()}.sock`);
      const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      for (let i = 0; i < 50 && spawnSync('test', ['-S', socket]).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
      const added = spawnSync('ssh-add', [join(dir, 'keys', 'root')], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr.toString()}`);
      return { socket, stop: () => void agent.kill() };
    },
    dropConnections: () => {
      if (daemon) spawnSync('pkill', ['-KILL', '-P', String(daemon.pid)]);
    },
    kill: async () => {
      await daemon?.stop();
    },
    restart: start,
    killAll,
    rotateHostKey: async () => {
      await killAll();
      rmSync(join(dir, 'keys', 'host'));
      rmSync(join(dir, 'keys', 'host.pub'));
      keygen(join(dir, 'keys', 'host'), 'nsd-test-host-reinstalled');
      await start();
      return `${host} ssh-ed25519 ${readFileSync(join(dir, 'keys', 'host.pub'), 'utf8').split(' ')[1]!}\n`;
    },
    log: () => logged + (daemon?.output() ?? ''),
    shimDir: join(dir, 'shim'),
  };
}

/** requireLab() plus OpenSSH's server and key tools: true when the suite must be skipped. */
export function requireSshd(what: string): boolean {
  return requireLab(what) || skipUnless(what, { 'sshd (openssh-server)': hasTool('sshd'), 'ssh-keygen (openssh-client)': hasTool('ssh-keygen') });
}

/** Runs `fn` with a sandbox and an sshd in it (upstream by default), destroyed afterwards whatever happens. */
export function withSshd<T>(fn: (sb: Sandbox, sshd: Sshd) => Promise<T>, opts: SandboxOptions & SshdOptions = { upstream: true }): Promise<T> {
  const { pam, ...sandbox } = opts;
  return withSandbox(async (sb) => fn(sb, await startSshd(sb, pam !== undefined ? { pam } : {})), sandbox);
}

/** Connects through the sshd's socket, trusting its host key; `options` say who and how. */
export function login(sshd: Sshd, options: Partial<ConnectOptions> & { username: string }): Promise<Connection> {
  return connect({ host: sshd.host, port: sshd.port, sock: sshd.socket(), knownHosts: parseKnownHosts(sshd.knownHosts), ...options });
}

/** Logs in as root with root's key, unless `overrides` say otherwise. */
export function rootLogin(sshd: Sshd, overrides: Partial<ConnectOptions> = {}): Promise<Connection> {
  return login(sshd, { username: 'root', privateKey: sshd.rootKey, ...overrides });
}

export type Compiled = Extract<CompileResult, { ok: true }>;

/** Runs one action of a compiled lab over a connection (as root, 60 s limit unless `extra` says otherwise), collecting its events. */
export async function runCompiled(conn: Connection, c: Compiled, action: RunAction, extra: Partial<RunOptions> = {}): Promise<{ outcome: RunOutcome; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const steps = action === 'up' ? c.up : action === 'down' ? c.down : [];
  const outcome = await runAction(conn.client, {
    action,
    script: c.script,
    steps,
    probes: c.probes,
    privilege: 'root',
    timeoutMs: 60_000,
    ...extra,
    onEvent: (e) => (events.push(e), extra.onEvent?.(e)),
  });
  return { outcome, events };
}
