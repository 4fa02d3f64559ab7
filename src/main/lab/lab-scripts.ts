/**
 * What a sandbox lab host is made of, as text: the file layout of its state directory, the two
 * bash scripts that build it (every word quoted), sshd_config and ssh_config, the small Node
 * programs it runs (the upstream web server, the unix-socket forwarder, the ssh ProxyCommand),
 * and the argv lists that start the processes. Pure: `lab-host.ts` writes and runs these.
 */
import { shellJoin } from '../../shared/compiler/shell.js';
import { LAB_NET, UPSTREAM_PAGE } from './lab-info.js';

/** Every file of a lab's state directory. */
export interface LabPaths {
  dir: string;
  labJson: string;
  holderScript: string;
  labHostScript: string;
  upstreamServer: string;
  forwarder: string;
  sshProxy: string;
  sshdConfig: string;
  sshConfig: string;
  knownHosts: string;
  authorizedKeys: string;
  hostKey: string;
  clientKey: string;
  socket: string;
  /** Mount points of the holder's and the lab host's private tmpfs (their /run, the lab host's /etc overlay). */
  holderMounts: string;
  labHostMounts: string;
  /** Outer pid of `unshare` (the holder; its process group is the lab's). */
  holderPid: string;
  /** The pid namespace the holder made ("pid:[4026532...]"): every lab process is in it. */
  pidNamespace: string;
  /** Outer pid of the forwarder's `nsenter`. */
  forwarderPid: string;
  /** Inner pid of the lab host's holder (written by lab-host.sh), and its outer pid (by `up`). */
  labInnerPid: string;
  labPid: string;
  /** sshd's PidFile: its pid inside the lab's pid namespace. */
  sshdPid: string;
  holderLog: string;
  sshdLog: string;
  upstreamLog: string;
  forwarderLog: string;
}

/** The file layout of the state directory `dir`. */
export function labPaths(dir: string): LabPaths {
  const p = (name: string): string => `${dir}/${name}`;
  return {
    dir,
    labJson: p('lab.json'),
    holderScript: p('holder.sh'),
    labHostScript: p('lab-host.sh'),
    upstreamServer: p('upstream-http.js'),
    forwarder: p('forwarder.js'),
    sshProxy: p('ssh-proxy'),
    sshdConfig: p('sshd_config'),
    sshConfig: p('ssh_config'),
    knownHosts: p('known_hosts'),
    authorizedKeys: p('authorized_keys'),
    hostKey: p('ssh_host_ed25519_key'),
    clientKey: p('id_ed25519'),
    socket: p('ssh.sock'),
    holderMounts: p('holder-mounts'),
    labHostMounts: p('lab-host-mounts'),
    holderPid: p('holder.pid'),
    pidNamespace: p('holder.pidns'),
    forwarderPid: p('forwarder.pid'),
    labInnerPid: p('lab-host.inner-pid'),
    labPid: p('lab-host.pid'),
    sshdPid: p('sshd.pid'),
    holderLog: p('holder.log'),
    sshdLog: p('sshd.log'),
    upstreamLog: p('upstream.log'),
    forwarderLog: p('forwarder.log'),
  };
}

/** Absolute paths of the programs the lab runs. */
export interface LabTools {
  node: string;
  sshd: string;
}

const { sandboxAddress, sandboxInterface, mgmtAddress, mgmtInterface, uplink, uplinkAddress, upstreamAddress, upstreamInterface, prefixLength: len } = LAB_NET;

const cmd = (...argv: string[]): string => shellJoin(argv);

/**
 * Gives the calling mount namespace a /run of its own (and, with `etc`, an /etc whose changes
 * stay in it), so that nothing the lab does reaches the machine's files and nothing anyone does
 * to the machine's directories unmounts the lab's: /run/nsd, /run/netns and /etc/netns lie on
 * private filesystems, and every mount point is a directory of those, never a directory of the
 * machine, which a `rmdir` from another mount namespace would detach (lab.sh removes /run/nsd
 * when it is empty; with /run/nsd a mount point on the machine's /run, that once sent a lab
 * host's state into the machine's /run/nsd). The one tmpfs is mounted on `mounts`, inside the lab's own state directory; the state
 * directory stays reachable at its path when it lies under /run. `-n`: /run/mount/utab is the
 * machine's, and is not written either.
 */
export function privateMountLines(mounts: string, stateDir: string, etc: boolean): string[] {
  const run = `${mounts}/run`;
  const lines = [cmd('mkdir', '-p', mounts), cmd('mount', '-n', '-t', 'tmpfs', '-o', 'mode=0700', 'nsd-lab', mounts), cmd('mkdir', '-p', run)];
  if (etc) {
    // Before /run moves: the upper and work directories are reached through the state directory.
    lines.push(
      cmd('mkdir', '-p', `${mounts}/etc-upper`, `${mounts}/etc-work`),
      cmd('mount', '-n', '-t', 'overlay', 'nsd-lab', '-o', `lowerdir=/etc,upperdir=${mounts}/etc-upper,workdir=${mounts}/etc-work`, '/etc'),
      cmd('mkdir', '-p', '/etc/netns'),
      cmd('mount', '-n', '-t', 'tmpfs', '-o', 'mode=0755', 'nsd-lab', '/etc/netns'),
    );
  }
  // A bind of the directory onto itself makes it a mount that can move onto /run.
  // A fresh /run as on a booted host: sshd's privilege separation directory and ip's netns
  // directory; lab.sh makes /run/nsd when it needs it (and removes it when it is empty again).
  lines.push(cmd('mount', '-n', '--bind', run, run), cmd('mkdir', '-p', `${run}/netns`, `${run}/sshd`));
  if (stateDir.startsWith('/run/')) {
    const inside = `${run}${stateDir.slice('/run'.length)}`;
    lines.push(cmd('mkdir', '-p', inside), cmd('mount', '-n', '--bind', stateDir, inside));
  }
  lines.push(cmd('mount', '-n', '--move', run, '/run'), cmd('chmod', '0755', '/run'));
  return lines;
}

/**
 * The sandbox's network, built in the holder's private network namespace: the lab host (netns
 * `lab`) with `mgmt0` towards the sandbox's `lab-mgmt`, and, with `upstream`, its `eth0`
 * towards the "internet" (netns `upstream`) and a default route through it, like a real host.
 * The addresses are LAB_NET's. The test harness (test/lab/sandbox.ts) builds the same network.
 */
export function sandboxNetworkLines(options: { upstream: boolean } = { upstream: true }): string[] {
  const lines = [
    cmd('ip', 'netns', 'add', 'lab'),
    cmd('ip', '-n', 'lab', 'link', 'set', 'lo', 'up'),
    // Moving a link into a namespace drops its addresses: create in place, then address, then up.
    cmd('ip', 'link', 'add', sandboxInterface, 'type', 'veth', 'peer', 'name', mgmtInterface, 'netns', 'lab'),
    cmd('ip', 'addr', 'add', `${sandboxAddress}/${len}`, 'dev', sandboxInterface),
    cmd('ip', 'link', 'set', sandboxInterface, 'up'),
    cmd('ip', '-n', 'lab', 'addr', 'add', `${mgmtAddress}/${len}`, 'dev', mgmtInterface),
    cmd('ip', '-n', 'lab', 'link', 'set', mgmtInterface, 'up'),
  ];
  if (!options.upstream) return lines;
  return [
    ...lines,
    cmd('ip', 'netns', 'add', 'upstream'),
    cmd('ip', '-n', 'upstream', 'link', 'set', 'lo', 'up'),
    cmd('ip', '-n', 'lab', 'link', 'add', uplink, 'type', 'veth', 'peer', 'name', upstreamInterface, 'netns', 'upstream'),
    cmd('ip', '-n', 'upstream', 'addr', 'add', `${upstreamAddress}/${len}`, 'dev', upstreamInterface),
    cmd('ip', '-n', 'upstream', 'link', 'set', upstreamInterface, 'up'),
    cmd('ip', '-n', 'lab', 'addr', 'add', `${uplinkAddress}/${len}`, 'dev', uplink),
    cmd('ip', '-n', 'lab', 'link', 'set', uplink, 'up'),
    // The upstream has no route back to the lab's private subnets, so only masqueraded traffic gets answers.
    cmd('ip', '-n', 'lab', 'route', 'add', 'default', 'via', upstreamAddress),
  ];
}

/**
 * The holder: runs as pid 1 of a fresh pid namespace, in a fresh network and mount namespace
 * (see `holderArgv`). It builds the sandbox's namespaces and links, starts the upstream web
 * server and the lab host, then reaps orphans until it is killed. When it dies the kernel kills
 * every process of the lab, so nothing can outlive it.
 */
export function holderScript(paths: LabPaths, tools: LabTools): string {
  return [
    '#!/bin/bash',
    '# nsd lab holder: pid 1 of the lab, in its own network, mount and pid namespaces.',
    'set -euo pipefail',
    cmd('ip', 'link', 'set', 'lo', 'up'),
    // A private /run (so /run/netns): the lab's namespace names never show in the machine's `ip netns`.
    ...privateMountLines(paths.holderMounts, paths.dir, false),
    ...sandboxNetworkLines(),
    `${cmd('ip', 'netns', 'exec', 'upstream', tools.node, paths.upstreamServer, upstreamAddress, String(LAB_NET.httpPort))} >>${cmd(paths.upstreamLog)} 2>&1 &`,
    `${cmd('ip', 'netns', 'exec', 'lab', 'unshare', '--mount', '--propagation', 'private', '--', 'bash', paths.labHostScript)} >>${cmd(paths.holderLog)} 2>&1 &`,
    'echo "nsd lab holder: ready"',
    // pid 1 must reap the orphans of its namespace (sshd sessions, servers a deploy started).
    'while :; do wait || true; sleep 1; done',
    '',
  ].join('\n');
}

/**
 * The lab host's holder: in netns `lab`, with a mount namespace of its own whose /run and /etc
 * are private (privateMountLines: what a topology deploys stays inside the lab host) and whose
 * /root is an empty tmpfs (the machine's own dotfiles never run in lab sessions). It runs sshd
 * in the foreground and keeps the mount namespace alive after.
 */
export function labHostScript(paths: LabPaths, tools: LabTools): string {
  return [
    '#!/bin/bash',
    '# nsd lab host: netns lab, a private mount namespace, sshd on the management address.',
    'set -euo pipefail',
    `echo "$$" >${cmd(paths.labInnerPid)}`,
    ...privateMountLines(paths.labHostMounts, paths.dir, true),
    cmd('mount', '-n', '-t', 'tmpfs', '-o', 'mode=0700', 'nsd-lab', '/root'),
    `${cmd(tools.sshd, '-D', '-e', '-f', paths.sshdConfig)} >>${cmd(paths.sshdLog)} 2>&1 &`,
    'wait || true',
    'echo "nsd lab host: sshd exited" >&2',
    'exec sleep infinity',
    '',
  ].join('\n');
}

/** The lab host's sshd_config: root logs in with the generated key only. */
export function sshdConfig(paths: LabPaths): string {
  return [
    '# sshd of an nsd sandbox lab host',
    `ListenAddress ${mgmtAddress}:${LAB_NET.sshPort}`,
    `HostKey ${paths.hostKey}`,
    `PidFile ${paths.sshdPid}`,
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PrintMotd no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** An ssh_config for OpenSSH's `ssh -F FILE lab`: through the socket, with the lab's key and host key. */
export function sshClientConfig(paths: LabPaths): string {
  return [
    '# ssh -F THIS-FILE lab',
    'Host lab',
    `  HostName ${mgmtAddress}`,
    `  Port ${LAB_NET.sshPort}`,
    '  User root',
    `  IdentityFile ${paths.clientKey}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${paths.knownHosts}`,
    '  StrictHostKeyChecking yes',
    `  ProxyCommand ${paths.sshProxy}`,
    '',
  ].join('\n');
}

/**
 * The upstream "internet" server: answers every HTTP request with UPSTREAM_PAGE. Node's http
 * never looks names up (python's http.server resolves its own address, which can hang here).
 */
export function upstreamServerSource(): string {
  return [
    "'use strict';",
    '// nsd lab upstream: a fixed page on ADDRESS:PORT.',
    "const http = require('node:http');",
    'const [address, port] = process.argv.slice(2);',
    `const page = ${JSON.stringify(UPSTREAM_PAGE)};`,
    'http',
    '  .createServer((req, res) => {',
    "    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(page), connection: 'close' });",
    "    res.end(req.method === 'HEAD' ? undefined : page);",
    '    console.log(`${req.socket.remoteAddress} ${req.method} ${req.url}`);',
    '  })',
    '  .listen(Number(port), address, () => console.log(`listening on ${address}:${port}`));',
    '',
  ].join('\n');
}

/** The forwarder: pipes each connection on a unix socket (mode 0600) to HOST:PORT. */
export function forwarderSource(): string {
  return [
    "'use strict';",
    '// nsd lab forwarder: unix socket -> sshd inside the sandbox network namespace.',
    "const fs = require('node:fs');",
    "const net = require('node:net');",
    'const [socket, host, port] = process.argv.slice(2);',
    'try { fs.unlinkSync(socket); } catch {}',
    'const server = net.createServer((client) => {',
    '  const upstream = net.connect(Number(port), host);',
    '  client.pipe(upstream);',
    '  upstream.pipe(client);',
    "  client.on('error', () => upstream.destroy());",
    "  upstream.on('error', () => client.destroy());",
    "  client.on('close', () => upstream.destroy());",
    "  upstream.on('close', () => client.destroy());",
    '});',
    'process.umask(0o177);',
    'server.listen(socket, () => console.log(`forwarding ${socket} to ${host}:${port}`));',
    '',
  ].join('\n');
}

/** The ssh ProxyCommand: relays standard input and output to the lab's unix socket. */
export function sshProxySource(node: string, paths: LabPaths): string {
  return [
    `#!${node}`,
    "'use strict';",
    '// ProxyCommand for the nsd lab host: stdin/stdout <-> its ssh socket.',
    `const socket = require('node:net').connect(${JSON.stringify(paths.socket)});`,
    'process.stdin.pipe(socket);',
    'socket.pipe(process.stdout);',
    "socket.on('error', (e) => { process.stderr.write(`nsd lab: ${e.message}\\n`); process.exit(255); });",
    "socket.on('close', () => process.exit(0));",
    '',
  ].join('\n');
}

/**
 * Starts the holder: new network, mount and pid namespaces (a fresh /proc), pid 1 killed when
 * `unshare` dies. Spawned detached, in a session of its own, so it outlives the CLI.
 */
export function holderArgv(paths: LabPaths): string[] {
  return ['unshare', '--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', '--', 'bash', paths.holderScript];
}

/**
 * Starts the forwarder in the sandbox's network namespace (where 198.51.100.2 is reachable) and
 * in the lab's pid namespace (so it dies with the lab); it stays in the machine's mount
 * namespace, so its socket is the state directory's.
 */
export function forwarderArgv(paths: LabPaths, tools: LabTools, holderPid: number): string[] {
  return ['nsenter', '-t', String(holderPid), '-n', `--pid=/proc/${holderPid}/ns/pid_for_children`, '--', tools.node, paths.forwarder, paths.socket, mgmtAddress, String(LAB_NET.sshPort)];
}

/** The prefix that runs a command inside the lab host (its network, mounts and pid namespace). */
export function enterLabArgv(labPid: number): string[] {
  return ['nsenter', '-t', String(labPid), '-n', '-m', '-p', '--'];
}

/** ssh-keygen argv for an unencrypted ed25519 key. */
export function keygenArgv(path: string, comment: string): string[] {
  return ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path];
}
