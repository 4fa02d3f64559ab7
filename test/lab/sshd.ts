/**
 * A real sshd inside a sandbox lab host, reachable from this test process through a unix
 * socket: a forwarder inside the lab host pipes each connection to sshd, so the machine's own
 * network is never touched. Keys are generated per sshd; root logs in with a key.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { SANDBOX, type BackgroundProcess, type Sandbox } from './sandbox.js';

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
  /** What the last `bash` started over SSH read on its standard input. */
  received(): string;
  /** Kills sshd (existing sessions die with it). */
  kill(): Promise<void>;
  /** Starts sshd again with the same keys. */
  restart(): Promise<void>;
}

function keygen(path: string, comment: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
}

/** A fresh private key that no sshd trusts (for wrong-key tests). */
export function strangerKey(dir: string): string {
  const path = join(dir, `stranger-${process.pid}-${Date.now()}`);
  keygen(path, 'nsd-test-stranger');
  return readFileSync(path, 'utf8');
}

/** Starts sshd in the sandbox's lab host, with a generated host key and root key. */
export async function startSshd(sb: Sandbox): Promise<Sshd> {
  const dir = join(sb.tmpDir, 'sshd');
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  keygen(join(dir, 'keys', 'host'), 'nsd-test-host');
  keygen(join(dir, 'keys', 'root'), 'nsd-test-root');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'keys', 'root.pub')));
  const host = SANDBOX.labMgmtAddress;
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${host}`,
      'Port 22',
      `HostKey ${join(dir, 'keys', 'host')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
      // A bash on PATH that keeps a copy of what it reads, so a test can compare the bytes.
      `SetEnv PATH=${join(dir, 'shim')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'shim'), { recursive: true });
  writeFileSync(join(dir, 'shim', 'bash'), `#!/bin/sh\ntee "${join(dir, 'received')}" | /bin/bash "$@"\n`, { mode: 0o755 });
  mkdirSync('/run/sshd', { recursive: true });
  // A clean home for root inside the lab host only: this machine's ~/.bashrc (pyenv init) reads
  // standard input, which a non-interactive SSH session's bash sources before the command.
  mkdirSync(join(dir, 'home'), { recursive: true, mode: 0o700 });
  const bound = await sb.lab(['mount', '--bind', join(dir, 'home'), '/root']);
  if (bound.code !== 0) throw new Error(`cannot give root a clean home in the lab host: ${bound.stderr}`);
  let daemon: BackgroundProcess | undefined;
  const start = async (): Promise<void> => {
    daemon = sb.spawnAt('lab', ['/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')]);
    await daemon.waitFor(/Server listening on/, 10_000);
  };
  await start();
  const socketPath = join(dir, 'ssh.sock');
  const forwarder = sb.spawnAt('lab', [process.execPath, '-e', FORWARDER, socketPath, host, '22']);
  await forwarder.waitFor(/forwarding/, 10_000);
  const hostKeyBase64 = readFileSync(join(dir, 'keys', 'host.pub'), 'utf8').split(' ')[1]!;
  return {
    socket: () => netConnect(socketPath),
    socketPath,
    host,
    port: 22,
    rootKey: readFileSync(join(dir, 'keys', 'root'), 'utf8'),
    knownHosts: `${host} ssh-ed25519 ${hostKeyBase64}\n`,
    hostKeyBase64,
    received: () => readFileSync(join(dir, 'received'), 'utf8'),
    kill: async () => {
      await daemon?.stop();
    },
    restart: start,
  };
}
