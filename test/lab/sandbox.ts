/**
 * A disposable lab host for tests: a private network + mount namespace holding a netns `lab`
 * (the host a topology is deployed on) and optionally an `upstream` namespace (the "internet",
 * 203.0.113.0/24). Nothing here touches the machine's own network: every link, address, route
 * and rule lives inside namespaces this harness creates, and `destroy()` kills every process
 * that could keep them alive. See /work/shared/LAB.md (the safety rule and the recipe).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LAB_NET } from '../../src/main/lab/lab-info.js';
import { join } from 'node:path';
import { shellJoin } from '../../src/shared/compiler/shell.js';
import { privateMountLines, sandboxNetworkLines } from '../../src/main/lab/lab-scripts.js';
import { hasTool, pathWithSbin, skipFor } from '../support/tools.js';
import { NETNS_IDS_SCRIPT, netnsIdsOf, processLines } from '../support/processes.js';

export interface SandboxOptions {
  /** Give the lab host an eth0 towards an `upstream` namespace (LAB_NET.upstreamAddress) and a default route through it. */
  upstream?: boolean;
}

export interface RunOptions {
  /** Written to the command's standard input, which is then closed. */
  input?: string;
  /** Added to (and overriding) the harness environment. */
  env?: Record<string, string>;
  /** Kill the command's process group after this long; default 30 s. */
  timeoutMs?: number;
}

export interface RunResult {
  /** Exit code; 128 + signal number when killed by a signal; 124 when it timed out. */
  code: number;
  stdout: string;
  stderr: string;
}

/** A process started in the background (a server); `stop()` kills its whole process group. */
export interface BackgroundProcess {
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A python3 http.server serving one index.html whose body is `marker`. */
export interface HttpServer extends BackgroundProcess {
  readonly address: string;
  readonly port: number;
  readonly marker: string;
  /** Client addresses of the requests logged so far, oldest first. */
  clients(): string[];
}

/** Where a command runs: the lab host, the upstream namespace, or a namespace deployed in the lab. */
export type Place = 'lab' | 'upstream' | { ns: string };

export interface HttpGetResult {
  ok: boolean;
  status?: number;
  body: string;
  /** The client's error text when `ok` is false. */
  error?: string;
}

const PROXY_VARS = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'];

/** The environment every sandbox command gets: sbin on PATH, and no proxy (nothing may leave). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !PROXY_VARS.includes(k)) env[k] = v;
  env.PATH = pathWithSbin(env.PATH);
  return env;
}

/** python3 from the distribution when present: pyenv shims and the like need more environment. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs argv (in its own process group, so a timeout kills everything it started). */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...baseEnv(), ...opts.env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid ?? 0);
    }, opts.timeoutMs ?? 30_000);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (timedOut) stderr += `\n[sandbox] timed out after ${opts.timeoutMs ?? 30_000} ms: ${argv.join(' ')}\n`;
      const exit = timedOut ? 124 : (code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0));
      resolve({ code: exit, stdout, stderr });
    };
    child.on('error', (e) => {
      stderr += `[sandbox] cannot start ${cmd}: ${e.message}\n`;
      finish(127, null);
    });
    // A daemon started by the command may keep stdout open: don't wait for 'close' forever.
    child.on('exit', (code, signal) => {
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, 500);
      child.on('close', () => {
        clearTimeout(grace);
        finish(code, signal);
      });
    });
  });
}

/** Starts argv in the background; it is SIGKILLed if this process dies (pdeathsig). */
function startBackground(argv: readonly string[], env: Record<string, string> = {}): BackgroundProcess & { exited: Promise<void> } {
  const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...argv], {
    env: { ...baseEnv(), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let done = false;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout?.on('data', (d: Buffer) => ((out += d.toString()), notify()));
  child.stderr?.on('data', (d: Buffer) => ((out += d.toString()), notify()));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => ((done = true), notify(), resolve()));
    child.on('error', (e) => ((out += `[sandbox] cannot start: ${e.message}\n`), (done = true), notify(), resolve()));
  });
  const pid = child.pid ?? 0;
  return {
    pid,
    exited,
    output: () => out,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) return cleanup(), resolve(out);
          if (done) return cleanup(), reject(new Error(`${argv.join(' ')} exited before printing ${pattern}:\n${out}`));
        };
        const timer = setTimeout(() => (cleanup(), reject(new Error(`${argv.join(' ')} did not print ${pattern} within ${timeoutMs} ms:\n${out}`))), timeoutMs);
        const cleanup = () => (clearTimeout(timer), listeners.delete(check));
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (!done) killGroup(pid);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

/** The live (non-zombie) processes whose session id is in `sids`, as "pid cmdline" lines. */
export function processesInSessions(sids: readonly number[]): string[] {
  return processLines((p) => sids.includes(p.sid));
}

/** Strips what changes on its own (timestamps, packet counters) from iptables-save output. */
function normalizeIptablesSave(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/^(:\S+ \S+) \[\d+:\d+\]$/, '$1').replace(/^\[\d+:\d+\] /, ''));
}

/**
 * iptables-save as a list of tables; a table with no rules, no own chains and only ACCEPT policies
 * is dropped, because nf_tables keeps a table once anything touched it and an empty table is no rule.
 */
export function normalizeRuleset(text: string): string {
  const lines = normalizeIptablesSave(text);
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.startsWith('*')) tables.push((current = [line]));
    else current?.push(line);
  }
  const builtin = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
  return tables
    .filter((t) =>
      t.some((l) => {
        if (l.startsWith('-')) return true;
        const chain = /^:(\S+) (\S+)/.exec(l);
        return chain !== null && (!builtin.has(chain[1] ?? '') || chain[2] !== 'ACCEPT');
      }),
    )
    .map((t) => t.join('\n'))
    .join('\n');
}

/** Reads (never changes) the network state of the machine's own root namespace. */
export async function rootNamespaceReading(): Promise<string> {
  const parts: string[] = [];
  for (const argv of [['ip', 'link'], ['ip', 'addr'], ['ip', 'route'], ['ip', 'netns'], ['iptables-save'], ['ip6tables-save']]) {
    const r = await run(argv);
    const body = argv[0]?.endsWith('-save') ? normalizeIptablesSave(r.stdout).join('\n') : r.stdout;
    parts.push(`### ${argv.join(' ')} (exit ${r.code})\n${body}`);
  }
  return parts.join('\n');
}

interface LinkJson {
  ifname: string;
  ifalias?: string;
  flags?: string[];
  mtu?: number;
  master?: string;
  link?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string; label?: string; tentative?: boolean; dadfailed?: boolean }[];
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`sandbox snapshot: ${what} printed no JSON:\n${text}`);
  }
}

/** Flags the kernel flips on its own as carriers come and go. */
const VOLATILE_FLAGS = new Set(['LOWER_UP', 'NO-CARRIER', 'M-DOWN', 'DORMANT', 'ECHO']);

/**
 * The holder: a private net + mount namespace that builds the lab host and then waits. The
 * network and the private mounts are the ones `nsd lab up` builds (lab-scripts.ts), with the
 * sandbox's temp directory `dir` as the state directory.
 */
function holderScript(upstream: boolean, parentPid: number, dir: string): string {
  const labHost = [...privateMountLines(`${dir}/lab-host-mounts`, dir, true), 'echo LAB-READY', 'exec sleep infinity'].join('\n');
  return [
    'set -euo pipefail',
    'ip link set lo up',
    ...privateMountLines(`${dir}/holder-mounts`, dir, false),
    ...sandboxNetworkLines({ upstream }),
    // The lab host's own /run and /etc: what a topology deploys stays private.
    `${shellJoin(['ip', 'netns', 'exec', 'lab', 'unshare', '--mount', '--propagation', 'private', '--', 'bash', '-c', labHost])} &`,
    'echo "LAB-PID $!"',
    ...(upstream ? ['ip netns exec upstream sleep infinity &', 'echo "UPSTREAM-PID $!"'] : []),
    'echo HOLDER-READY',
    // If the test runner dies without destroy(), take the whole process group down with it.
    `while kill -0 ${parentPid} 2>/dev/null; do sleep 1; done`,
    'kill -KILL 0',
  ].join('\n');
}

/**
 * `python3 -m http.server --bind ADDR` looks up the fully qualified name of ADDR before it
 * listens; in a namespace whose resolv.conf names an unreachable server (the examples use
 * 1.1.1.1) that takes many seconds. This server skips the lookup; its log lines are the same.
 */
const HTTP_SERVER = [
  'import functools, http.server, socketserver, sys',
  'class Server(http.server.ThreadingHTTPServer):',
  '    def server_bind(self):',
  '        socketserver.TCPServer.server_bind(self)',
  '        self.server_name, self.server_port = self.server_address[:2]',
  'handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])',
  'server = Server((sys.argv[1], int(sys.argv[2])), handler)',
  'print("Serving HTTP on %s port %s" % (sys.argv[1], sys.argv[2]), flush=True)',
  'server.serve_forever()',
].join('\n');

let counter = 0;

/** A disposable lab host. Always `destroy()` it in a finally block. */
export class Sandbox {
  private readonly background = new Set<BackgroundProcess & { exited: Promise<void> }>();
  private destroyed = false;
  private scriptCount = 0;

  private constructor(
    private readonly holder: ChildProcess,
    private readonly holderExited: Promise<void>,
    /** Pid of the process whose namespaces are the lab host's (net + private mounts). */
    readonly labPid: number,
    /** Pid of a process in the upstream namespace, when there is one. */
    readonly upstreamPid: number | undefined,
    /** A temp directory for scripts and web roots, readable inside the lab. */
    readonly tmpDir: string,
  ) {}

  /** Builds the lab host (and its upstream when asked); resolves once it is ready to use. */
  static async create(opts: SandboxOptions = {}): Promise<Sandbox> {
    const upstream = opts.upstream ?? false;
    const tmpDir = mkdtempSync(join(tmpdir(), 'nsd-sandbox-'));
    const holder = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--fork', '--', 'bash', '-c', holderScript(upstream, process.pid, tmpDir)], {
      env: baseEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((resolve) => holder.on('exit', () => resolve()));
    holder.on('error', (e) => (err += `cannot start unshare: ${e.message}\n`));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out after 15 s')), 15_000);
        const check = () => {
          if (/HOLDER-READY/.test(out) && /LAB-READY/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        holder.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
        holder.stderr.on('data', (d: Buffer) => (err += d.toString()));
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error('the holder exited'));
        });
      });
    } catch (e) {
      killGroup(holder.pid ?? 0);
      await exited;
      rmSync(tmpDir, { recursive: true, force: true });
      throw new Error(`Sandbox.create: ${(e as Error).message}\n--- stdout\n${out}\n--- stderr\n${err}`);
    }
    const labPid = Number(/LAB-PID (\d+)/.exec(out)?.[1]);
    const upstreamPid = upstream ? Number(/UPSTREAM-PID (\d+)/.exec(out)?.[1]) : undefined;
    return new Sandbox(holder, exited, labPid, upstreamPid, tmpDir);
  }

  /** Session ids of everything this sandbox started (for leak checks). */
  get sessionIds(): number[] {
    return [this.holder.pid ?? -1, ...[...this.background].map((b) => b.pid)];
  }

  private enter(pid: number | undefined, what: string): string[] {
    if (this.destroyed) throw new Error(`sandbox: ${what} used after destroy()`);
    if (pid === undefined) throw new Error(`sandbox: no ${what} namespace; create the sandbox with { upstream: true }`);
    return ['nsenter', '-t', String(pid), '-n', '-m', '--'];
  }

  private argvAt(place: Place, argv: readonly string[]): string[] {
    if (place === 'lab') return [...this.enter(this.labPid, 'lab'), ...argv];
    if (place === 'upstream') return [...this.enter(this.upstreamPid, 'upstream'), ...argv];
    return [...this.enter(this.labPid, 'lab'), 'ip', 'netns', 'exec', place.ns, ...argv];
  }

  /** Runs argv in the lab host (its network and its private mounts). */
  /** The network namespaces of this lab host, its own and those in its /run/netns, as /proc/PID/ns/net names them (`net:[INODE]`). */
  async netnsIds(): Promise<Set<string>> {
    const r = await this.lab(['bash', '-c', NETNS_IDS_SCRIPT]);
    if (r.code !== 0) throw new Error(`cannot list the lab host's network namespaces: ${r.stderr}`);
    return netnsIdsOf(r.stdout);
  }

  lab(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(this.argvAt('lab', argv), opts);
  }

  /** Runs argv in the upstream ("internet") namespace. */
  upstream(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(this.argvAt('upstream', argv), opts);
  }

  /** Runs argv in the lab host, inside namespace `ns` that a deployed topology made. */
  inNamespace(ns: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(this.argvAt({ ns }, argv), opts);
  }

  /** Runs argv at `place`. */
  at(place: Place, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(this.argvAt(place, argv), opts);
  }

  /** Writes `scriptText` to a file and runs `bash FILE ...args` in the lab host. */
  runScript(scriptText: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
    const file = join(this.tmpDir, `lab-${++this.scriptCount}.sh`);
    writeFileSync(file, scriptText, { mode: 0o644 });
    return this.lab(['bash', file, ...args], { timeoutMs: 60_000, ...opts });
  }

  /** Starts argv in the background at `place`; destroy() kills it if the test does not. */
  spawnAt(place: Place, argv: readonly string[], env: Record<string, string> = {}): BackgroundProcess {
    const bg = startBackground(this.argvAt(place, argv), env);
    this.background.add(bg);
    void bg.exited.then(() => this.background.delete(bg));
    return bg;
  }

  /**
   * Starts a python3 web server at `place` on address:port serving an index.html whose body is
   * `marker`. Stop it (or destroy the sandbox) before `lab.sh down`: a process keeps its namespace alive.
   */
  async startHttpServerAt(place: Place, address: string, port = 80, marker = `served-by-${typeof place === 'string' ? place : place.ns}`): Promise<HttpServer> {
    const root = join(this.tmpDir, `www-${++counter}`);
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), marker);
    const bg = this.spawnAt(place, [PYTHON, '-u', '-c', HTTP_SERVER, address, String(port), root]);
    await bg.waitFor(/Serving HTTP on/);
    return {
      ...bg,
      pid: bg.pid,
      address,
      port,
      marker,
      clients: () => [...bg.output().matchAll(/^(\S+) - - \[[^\]]*\] "/gm)].map((m) => m[1] ?? ''),
    };
  }

  /** The "internet" web server: 203.0.113.1:80 in the upstream namespace. */
  startHttpServer(marker = 'served-by-upstream'): Promise<HttpServer> {
    return this.startHttpServerAt('upstream', LAB_NET.upstreamAddress, LAB_NET.httpPort, marker);
  }

  /** Fetches `url` from `place` with python3 urllib (no proxy, 5 s timeout). */
  async httpGet(place: Place, url: string): Promise<HttpGetResult> {
    const code = [
      'import sys, urllib.request',
      'opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))',
      'try:',
      '    r = opener.open(sys.argv[1], timeout=5)',
      '    sys.stdout.write("STATUS %d\\n" % r.status + r.read().decode("utf-8", "replace"))',
      'except Exception as e:',
      '    sys.stdout.write("ERROR %r" % (e,))',
      '    sys.exit(1)',
    ].join('\n');
    const r = await this.at(place, [PYTHON, '-c', code, url], { timeoutMs: 15_000 });
    const m = /^STATUS (\d+)\n([\s\S]*)$/.exec(r.stdout);
    if (r.code === 0 && m) return { ok: true, status: Number(m[1]), body: m[2] ?? '' };
    return { ok: false, body: '', error: `${r.stdout}${r.stderr}`.trim() || `exit ${r.code}` };
  }

  /**
   * A normalized text of the lab host's state: namespaces, links (name, kind, flags without
   * carrier bits, mtu, master, alias), addresses (no IPv6 link-local), routes and rules, iptables
   * and ip6tables rules (no counters, no empty ACCEPT-only tables), forwarding sysctls and the
   * files under /etc/netns and /run/nsd; and inside each namespace its links, addresses, routes
   * and forwarding sysctls. Equal texts mean "no trace left", or "the same lab".
   */
  async snapshot(): Promise<string> {
    const read = async (argv: string[]): Promise<string> => {
      const r = await this.lab(argv);
      if (r.code !== 0 && !argv[0]?.endsWith('-save')) throw new Error(`sandbox snapshot: ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    const sections: string[] = [];
    const section = (title: string, lines: string[]) => sections.push(`## ${title}\n${lines.join('\n')}`);

    const netns = (await read(['ip', 'netns', 'list'])).split('\n').filter(Boolean).map((l) => l.replace(/ \(id: \d+\)$/, ''));
    section('ip netns list', netns.sort());

    const linkLines = (links: LinkJson[]) =>
      links
        .map((l) => {
          const flags = (l.flags ?? []).filter((f) => !VOLATILE_FLAGS.has(f)).join(',');
          const kind = l.linkinfo?.info_kind ?? l.link_type ?? '';
          return `${l.ifname} kind ${kind} <${flags}> mtu ${l.mtu ?? '?'}${l.master ? ` master ${l.master}` : ''}${l.link ? ` peer ${l.link}` : ''}${l.ifalias ? ` alias ${l.ifalias}` : ''}`;
        })
        .sort();
    const addrLines = (addrs: LinkJson[]) =>
      addrs
        .flatMap((l) =>
          (l.addr_info ?? [])
            .filter((a) => !(a.family === 'inet6' && a.scope === 'link'))
            .map((a) => `${l.ifname} ${a.family} ${a.local}/${a.prefixlen} scope ${a.scope ?? '?'}${a.label && a.label !== l.ifname ? ` label ${a.label}` : ''}`),
        )
        .sort();
    const routes = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('fe80::/64 '))
        .map((l) => l.replace(/ linkdown\b/g, '').trimEnd())
        .sort();
    const forwardingKeys = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'];

    section('ip link', linkLines(parseJson<LinkJson[]>(await read(['ip', '-d', '-j', 'link', 'show']), 'ip -d -j link')));
    section('ip addr', addrLines(parseJson<LinkJson[]>(await read(['ip', '-j', 'addr', 'show']), 'ip -j addr')));
    section('ip route', routes(await read(['ip', 'route', 'show'])));
    section('ip -6 route', routes(await read(['ip', '-6', 'route', 'show'])));

    // Inside every namespace of the lab host: its links, addresses, routes and forwarding.
    for (const ns of [...netns].sort()) {
      section(`netns ${ns}: ip link`, linkLines(parseJson<LinkJson[]>(await read(['ip', '-n', ns, '-d', '-j', 'link', 'show']), `ip -n ${ns} link`)));
      section(`netns ${ns}: ip addr`, addrLines(parseJson<LinkJson[]>(await read(['ip', '-n', ns, '-j', 'addr', 'show']), `ip -n ${ns} addr`)));
      section(`netns ${ns}: ip route`, routes(await read(['ip', '-n', ns, 'route', 'show'])));
      section(`netns ${ns}: ip -6 route`, routes(await read(['ip', '-n', ns, '-6', 'route', 'show'])));
      section(`netns ${ns}: sysctl`, (await read(['nsenter', `--net=/run/netns/${ns}`, 'sysctl', ...forwardingKeys])).split('\n').filter(Boolean));
    }
    section('ip rule', (await read(['ip', 'rule', 'show'])).split('\n').filter(Boolean));
    section('ip -6 rule', (await read(['ip', '-6', 'rule', 'show'])).split('\n').filter(Boolean));
    section('iptables-save', [normalizeRuleset(await read(['iptables-save']))]);
    section('ip6tables-save', [normalizeRuleset(await read(['ip6tables-save']))]);
    section('sysctl', (await read(['sysctl', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.route_localnet'])).split('\n').filter(Boolean));
    // lab.sh makes /run/nsd when it needs it and removes it when empty: absent and empty read alike.
    const files = 'for d in /etc/netns /run/nsd; do echo "$d:"; if [ -d "$d" ]; then (cd "$d" && find . -mindepth 1 | sort); fi; done';
    section('files under /etc/netns and /run/nsd', (await read(['bash', '-c', files])).split('\n'));
    return sections.join('\n') + '\n';
  }

  /**
   * Every process on the machine whose command line holds `text` ("PID COMMAND LINE", arguments
   * joined by spaces; the search itself never matches, since `text` is not in its command line).
   */
  async processesWith(text: string): Promise<string[]> {
    const r = await this.lab(['bash', '-c', 'for p in /proc/[0-9]*; do c=$(tr "\\0" " " <"$p/cmdline" 2>/dev/null) && printf "%s %s\\n" "${p#/proc/}" "$c"; done']);
    return r.stdout.split('\n').filter((l) => l.includes(text));
  }

  /** Kills every process the sandbox started (servers first, then the holder group); idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    // A lab's services run in sessions of their own (setsid): a test that failed before down
    // would leave them running, so every process in a namespace of the lab host goes first.
    await this.lab(['bash', '-c', 'for ns in $(ip netns list | cut -d" " -f1); do ip netns pids "$ns"; done | xargs -r kill -9']).catch(() => undefined);
    this.destroyed = true;
    await Promise.all([...this.background].map((b) => b.stop()));
    killGroup(this.holder.pid ?? 0);
    await Promise.race([this.holderExited, new Promise((r) => setTimeout(r, 5_000))]);
    // The lab and upstream holders are grandchildren: wait until they are really gone.
    const deadline = Date.now() + 5_000;
    while (processesInSessions(this.sessionIds).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a fresh sandbox that is destroyed afterwards, also when `fn` throws. */
export async function withSandbox<T>(fn: (sb: Sandbox) => Promise<T>, opts: SandboxOptions = { upstream: true }): Promise<T> {
  const sb = await Sandbox.create(opts);
  try {
    return await fn(sb);
  } finally {
    await sb.destroy();
  }
}

let problems: string[] | undefined;

/** Why the lab tests cannot run on this machine (empty when they can). */
function labProblems(): string[] {
  if (problems) return problems;
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('not running as root');
  const tools = ['unshare', 'nsenter', 'setpriv', 'ip', 'iptables', 'iptables-save', 'ip6tables-save', 'sysctl', 'mount', 'bash', 'ping', PYTHON];
  for (const tool of tools) if (!hasTool(tool)) missing.push(`${tool} not found`);
  if (missing.length === 0) {
    // A container without CAP_SYS_ADMIN has the tools but cannot make namespaces.
    const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'true'], { env: baseEnv() });
    if (r.status !== 0) missing.push(`unshare --net --mount fails: ${r.stderr?.toString().trim() || `exit ${r.status}`}`);
  }
  problems = missing;
  return problems;
}

/** Why the lab tests cannot run on this machine, or undefined when they can. */
export function labPrerequisites(): string | undefined {
  const found = labProblems();
  return found.length > 0 ? found.join('; ') : undefined;
}

/**
 * Call at the top of a lab test file; returns true when its lab tests must be skipped
 * (`describe.skipIf(requireLab('...'))`). Under CI a missing prerequisite is a failing test,
 * elsewhere a loud warning saying what did not run and why (test/support/tools.ts skipFor).
 */
export function requireLab(what: string): boolean {
  return skipFor(what, labProblems(), 'The lab tests need root, util-linux (unshare, nsenter, setpriv), iproute2, iptables, iputils-ping and python3.');
}

/**
 * A PATH for the lab host whose first entry holds a fake iptables that reads like the real one
 * but refuses to add chains and rules, so `up` fails halfway, after namespaces and links exist.
 */
export async function faultyIptablesPath(sb: Sandbox): Promise<string> {
  const realIptables = (await run(['sh', '-c', 'command -v iptables'])).stdout.trim();
  if (realIptables === '') throw new Error('iptables is not installed');
  const fakeBin = join(sb.tmpDir, 'fault-bin');
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(
    join(fakeBin, 'iptables'),
    [
      '#!/bin/sh',
      'for a in "$@"; do',
      '  case "$a" in -A|-I|-N|--append|--insert|--new-chain) echo "injected fault: iptables $*" >&2; exit 1 ;; esac',
      'done',
      `exec ${realIptables} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  writeFileSync(join(fakeBin, 'iptables-restore'), '#!/bin/sh\necho "injected fault: iptables-restore" >&2\nexit 1\n', { mode: 0o755 });
  const path = (await sb.lab(['sh', '-c', 'echo "$PATH"'])).stdout.trim();
  return `${fakeBin}:${path}`;
}
