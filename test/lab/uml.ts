/**
 * A kernel with netem for the lab tests: this machine's kernel has no sch_netem, so tests that
 * need it run their commands inside User-Mode Linux (Debian's user-mode-linux package: a 6.1
 * kernel running as an ordinary process, with sch_netem, veth and bridge as modules). UML has
 * its own network stack, so nothing done there reaches the machine's network. Its root is the
 * host's file system mounted READ-ONLY (hostfs, ro): /run, /tmp, /etc/netns and /dev get tmpfs
 * or devtmpfs inside UML, so the commands write nothing on the machine either; their output
 * comes back on UML's console (standard output), between markers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellJoin } from '../../src/shared/compiler/shell.js';
import { readBanner } from '../../src/main/lab/lab-host.js';
import { hostKeyLineFor } from '../../src/main/lab/lab-info.js';
import { forwarderSource, keygenArgv } from '../../src/main/lab/lab-scripts.js';
import { pathWithSbin, skipUnless } from '../support/tools.js';
import { processesWith } from '../support/processes.js';

/** Where linux.uml and its modules are: Debian's package, or an extracted copy of it (UML_ROOT=/path/to/extracted). */
const ROOTS = [process.env.UML_ROOT ?? '', '/', '/work/uml-extracted'].filter(Boolean);

export interface UmlKernel {
  binary: string;
  /** The directory holding lib/modules/VERSION for modprobe -d (the package's /usr/lib/uml/modules, bound there). */
  modules: string;
}

/** The UML kernel on this machine, if any. */
export function findUml(): UmlKernel | undefined {
  for (const root of ROOTS) {
    const binary = join(root, 'usr/bin/linux.uml');
    const modules = join(root, 'usr/lib/uml/modules');
    if (existsSync(binary) && existsSync(modules) && readdirSync(modules).length > 0) return { binary, modules };
  }
  return undefined;
}

/** Registers the skip (outside CI, loudly) or the failure (under CI) when UML is missing; true when the suite must skip. */
export function requireUml(suite: string): boolean {
  return skipUnless(suite, { 'linux.uml with its modules (apt-get install user-mode-linux kmod)': findUml() !== undefined, 'modprobe (kmod)': existsSync('/usr/bin/kmod') || existsSync('/bin/kmod') });
}

export interface UmlResult {
  /** The script's exit status (-1 when UML did not report one: it crashed or timed out). */
  code: number;
  /** What the script wrote (standard output and error together). */
  output: string;
  /** UML's whole console, for diagnosis. */
  console: string;
}

/** UML's command line: the host's root read-only, `init` as its first process, the console on standard output. */
function umlArgs(init: string, extra: readonly string[] = []): string[] {
  return ['mem=384M', 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'ro', `init=${init}`, 'quiet', 'loglevel=0', 'con=null', 'con0=fd:0,fd:1', ...extra];
}

/**
 * The first lines of UML's init: /proc, /sys, a /dev with the nodes bash, sshd and ssh sessions
 * need, tmpfs over /run, /tmp, /root and /etc/netns (the host's files stay untouched), the
 * files of `dir` copied to /run/work (the host's /tmp is hidden next), the modules veth, bridge
 * and sch_netem loaded (and the kernel's own module requests served from the same place), lo up.
 */
function initPreamble(dir: string, uml: UmlKernel): string[] {
  return [
    '#!/bin/bash',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp',
    'mount -t proc proc /proc',
    'mount -t sysfs sys /sys',
    'mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev',
    // What udev would make: bash and lab.sh's lock use /dev/fd; sshd needs /dev/null, its sessions a pty.
    'ln -sfn /proc/self/fd /dev/fd; ln -sfn /proc/self/fd/0 /dev/stdin; ln -sfn /proc/self/fd/1 /dev/stdout; ln -sfn /proc/self/fd/2 /dev/stderr',
    'for d in "null c 1 3" "zero c 1 5" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do set -- $d; [ -e "/dev/$1" ] || mknod -m 666 "/dev/$1" "$2" "$3" "$4"; done',
    'mkdir -p /dev/pts && mount -t devpts -o ptmxmode=666 devpts /dev/pts && ln -sfn pts/ptmx /dev/ptmx',
    'mount -t tmpfs tmpfs /run',
    // The files come from the host's /tmp, which a tmpfs hides next.
    `cp -r ${JSON.stringify(dir)} /run/work`,
    'mount -t tmpfs tmpfs /tmp',
    // root's home on the host may have a ~/.bashrc that reads standard input (pyenv init): a clean one.
    'mount -t tmpfs tmpfs /root',
    'mount -t tmpfs tmpfs /etc/netns 2>/dev/null || true',
    'mkdir -p /run/modules/lib/modules',
    `mount --bind ${JSON.stringify(uml.modules)} /run/modules/lib/modules`,
    'for m in veth bridge sch_netem; do modprobe -d /run/modules "$m" || echo "init: modprobe $m failed"; done',
    // What the kernel loads on demand (iptables' nf_tables, its matches) comes from there too.
    `printf '#!/bin/sh\\nexec /sbin/modprobe -d /run/modules "$@"\\n' >/run/modprobe && chmod 755 /run/modprobe && echo /run/modprobe >/proc/sys/kernel/modprobe`,
    // UML's kernel has no nf_tables for IPv4 (iptables-nft: "TABLE_ADD failed (Operation not
    // supported)"), but x_tables: iptables there is the legacy one, whichever the host chose.
    '[ -x /usr/sbin/xtables-legacy-multi ] && [ -e /usr/sbin/xtables-nft-multi ] && mount --bind /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi',
    'ip link set lo up',
  ];
}

const BEGIN = '@@nsd-uml-begin@@';
const END = '@@nsd-uml-end@@';

/**
 * Boots UML, runs `script` (bash, as root, with `files` written beside it and its directory as
 * the working directory) and powers off. The modules veth, bridge and sch_netem are loaded
 * first. The files are readable inside UML only, as the root is read-only.
 */
export async function withUmlKernel(script: string, files: Record<string, string> = {}, timeoutMs = 120_000): Promise<UmlResult> {
  const uml = findUml();
  if (!uml) throw new Error('linux.uml is missing: apt-get install user-mode-linux kmod');
  const dir = mkdtempSync(join(tmpdir(), 'nsd-uml-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'script.sh'), script);
    const init = join(dir, 'init.sh');
    writeFileSync(
      init,
      [
        ...initPreamble(dir, uml),
        'cd /run/work',
        `echo ${BEGIN}`,
        'bash ./script.sh 2>&1',
        `echo "${END} $?"`,
        'poweroff -f',
        '',
      ].join('\n'),
    );
    chmodSync(init, 0o755);
    const child = spawn(uml.binary, umlArgs(init), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    clearTimeout(timer);
    const text = out.replace(/\r\n/g, '\n');
    const begin = text.indexOf(BEGIN);
    const end = text.lastIndexOf(END);
    if (begin < 0 || end < 0) return { code: -1, output: '', console: text };
    const code = Number(/^\s*(\d+)/.exec(text.slice(end + END.length))?.[1] ?? -1);
    return { code, output: text.slice(begin + BEGIN.length + 1, end), console: text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The link between the test's network namespace and UML: a TAP device on the test's side, UML's eth0 on the other. */
export const UML_NET = { tap: 'nsdtap0', outside: '198.51.100.1', inside: '198.51.100.2', prefix: 30 } as const;

/** A UML kernel with a real sshd, reached through a unix socket: a lab host whose kernel has netem. */
export interface UmlLabHost {
  /** UML's address, as ssh (and known_hosts) name it. */
  host: string;
  port: number;
  /** The unix socket that leads to UML's sshd (nsd --socket). */
  socketPath: string;
  /** root's private key (OpenSSH format), trusted by UML's sshd. */
  rootKey: string;
  /** A known_hosts text that trusts UML's sshd. */
  knownHosts: string;
  /** UML's console so far (its kernel messages and sshd's log), for diagnosis. */
  console(): string;
  /** The processes on this machine that belong to this lab host ("PID COMMAND LINE"). */
  processes(): string[];
  /** Kills UML, its sshd and the forwarder (the whole pid namespace); idempotent. */
  stop(): Promise<void>;
}

/**
 * Boots UML as a lab host reachable over SSH. Everything runs in network, mount and pid
 * namespaces of its own (`unshare`): a TAP device there (UML_NET.outside) is UML's eth0
 * (UML_NET.inside, `eth0=tuntap,TAP`), UML's init starts sshd with a generated host key and
 * root's generated key, and the project's socket forwarder (lab-scripts.ts) pipes a unix socket
 * in the temp directory to UML's port 22. The machine's own network gets nothing. The holder
 * dies with this process; `stop()` kills everything at once.
 */
export async function startUmlLabHost(timeoutMs = 180_000): Promise<UmlLabHost> {
  const uml = findUml();
  if (!uml) throw new Error('linux.uml is missing: apt-get install user-mode-linux kmod');
  const dir = mkdtempSync(join(tmpdir(), 'nsd-umlssh-'));
  const work = join(dir, 'work');
  mkdirSync(work, { mode: 0o700 });
  for (const key of ['host', 'root']) {
    const [cmd, ...args] = keygenArgv(join(work, key), `nsd-uml-${key}`);
    const r = spawnSync(cmd!, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  }
  const { inside, outside, prefix, tap } = UML_NET;
  // Inside UML the files of `work` are in /run/work.
  writeFileSync(
    join(work, 'sshd_config'),
    [`ListenAddress ${inside}`, 'Port 22', 'HostKey /run/work/host', 'PidFile /run/sshd.pid', 'AuthorizedKeysFile /run/work/root.pub', 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'LogLevel VERBOSE', ''].join('\n'),
  );
  const init = join(dir, 'init.sh');
  writeFileSync(
    init,
    [
      ...initPreamble(work, uml),
      'mkdir -p /run/sshd',
      `ip addr add ${inside}/${prefix} dev eth0 && ip link set eth0 up || echo "init: eth0 failed"`,
      '/usr/sbin/sshd -D -e -f /run/work/sshd_config',
      'echo "init: sshd exited $?"',
      'poweroff -f',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const socketPath = join(dir, 'ssh.sock');
  const forwarder = join(dir, 'forwarder.js');
  writeFileSync(forwarder, forwarderSource());
  const consoleLog = join(dir, 'console.log');
  const holder = [
    'set -eu',
    'ip link set lo up',
    `ip tuntap add dev ${tap} mode tap`,
    `ip addr add ${outside}/${prefix} dev ${tap}`,
    `ip link set ${tap} up`,
    `${shellJoin([process.execPath, forwarder, socketPath, inside, '22'])} &`,
    `${shellJoin([uml.binary, ...umlArgs(init, [`eth0=tuntap,${tap}`])])} </dev/null >${shellJoin([consoleLog])} 2>&1 &`,
    // pid 1 of the pid namespace: when it ends, the kernel kills UML and the forwarder with it.
    'wait',
  ].join('\n');
  // unshare dies with this process (pdeathsig) and takes pid 1 of the namespace with it (--kill-child).
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', 'bash', '-c', holder], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, PATH: pathWithSbin() },
  });
  let holderOut = '';
  child.stdout.on('data', (d: Buffer) => (holderOut += d.toString()));
  child.stderr.on('data', (d: Buffer) => (holderOut += d.toString()));
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
  const readConsole = (): string => {
    try {
      return readFileSync(consoleLog, 'utf8').replace(/\r\n/g, '\n');
    } catch {
      return '';
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      // UML's own processes go with the pid namespace: wait until they are really gone.
      const deadline = Date.now() + 10_000;
      while (processesWith(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const banner = existsSync(socketPath) ? await readBanner(socketPath, 2_000) : undefined;
      if (banner?.startsWith('SSH-2.0-')) break;
      if (exited) throw new Error('the holder exited');
      if (/init: sshd exited/.test(readConsole())) throw new Error('sshd exited inside UML');
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s (last answer: ${JSON.stringify(banner ?? null)})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    const why = `cannot start the UML lab host: ${(e as Error).message}\n--- holder\n${holderOut}\n--- UML console\n${readConsole()}`;
    await stop();
    throw new Error(why);
  }
  return {
    host: inside,
    port: 22,
    socketPath,
    rootKey: readFileSync(join(work, 'root'), 'utf8'),
    knownHosts: `${hostKeyLineFor(readFileSync(join(work, 'host.pub'), 'utf8'), inside)}\n`,
    console: readConsole,
    processes: () => processesWith(dir),
    stop,
  };
}
