/**
 * The local sandbox lab host: `labUp` builds one (a detached holder in private network, mount
 * and pid namespaces, a lab host with a real sshd, an upstream "internet", a unix-socket
 * forwarder), `labStatus` checks it, `labDown` kills it and removes its state directory. The
 * machine's own network namespace gets nothing: no link, address, route or rule. This file only
 * moves processes and files; what they run is built in lab-scripts.ts, what they mean is
 * decided in lab-health.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { assessLab, isLiveState, parseNsPids, parsePidFile, parseProcStat, type LabHealth, type LabProbe } from './lab-health.js';
import { hostKeyLineFor, labBaseDir, labDir, labDirProblem, labInfoSchema, labNameProblem, parseKeygenFingerprint, parseLabInfo, LAB_NET, type LabInfo } from './lab-info.js';
import {
  enterLabArgv,
  forwarderArgv,
  forwarderSource,
  holderArgv,
  holderScript,
  keygenArgv,
  labHostScript,
  labPaths,
  sshClientConfig,
  sshdConfig,
  sshProxySource,
  upstreamServerSource,
  type LabPaths,
  type LabTools,
} from './lab-scripts.js';
import { OCCUPANCY_SCRIPT, parseOccupancy } from './lab-occupancy.js';
import type { LabOccupancy } from '../../shared/ipc/contract.js';
import { LAB_TOOLS, prerequisiteProblems, type LabTool, type MachineFacts } from './prerequisites.js';
import { EXIT } from '../../shared/exit-codes.js';

/** A failure a user sees: the message says what and how to fix it; `exitCode` is an EXIT value (src/shared/exit-codes.ts). */
export class LabError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.labFailed,
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

const PROXY_VARS = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'];
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The environment of the lab's processes: sbin on PATH, no proxy (nothing may leave the lab). */
function childEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !PROXY_VARS.includes(k)) out[k] = v;
  const path = (out.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
  for (const dir of SBIN) if (!path.includes(dir)) path.push(dir);
  out.PATH = path.join(':');
  return out;
}

function which(tool: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (!dir.startsWith('/')) continue;
    try {
      accessSync(`${dir}/${tool}`, constants.X_OK);
      return `${dir}/${tool}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The Node.js that runs the lab's helper processes: this process's own, except inside the
 * desktop app, whose executable is Electron (with runAsNode fused off): there, `node` on PATH.
 */
export function nodeBinary(env: Env, versions: NodeJS.ProcessVersions = process.versions, execPath = process.execPath): string | undefined {
  return versions.electron === undefined ? execPath : which('node', childEnv(env).PATH ?? '');
}

/** Looks up what the lab needs on this machine. */
export function machineFacts(env: Env): MachineFacts {
  const path = childEnv(env).PATH ?? '';
  const tools: Partial<Record<LabTool, string>> = {};
  for (const { tool } of LAB_TOOLS) {
    const found = which(tool, path);
    if (found !== undefined) tools[tool] = found;
  }
  return { platform: process.platform, uid: process.getuid?.(), tools };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function nsLink(pid: number, ns: 'pid' | 'pid_for_children'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  const stat = parseProcStat(readText(`/proc/${pid}/stat`) ?? '');
  return stat !== undefined && isLiveState(stat.state);
}

/** A live process in the lab's pid namespace, with its pids outermost first. */
interface LabProcess {
  pid: number;
  nsPids: number[];
  comm: string;
  /** The command line, arguments joined by spaces. */
  cmdline: string;
}

/** Every live process whose pid namespace is `pidNs` (read from /proc). */
function processesInPidNamespace(pidNs: string): LabProcess[] {
  const found: LabProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (nsLink(pid, 'pid') !== pidNs || !alive(pid)) continue;
    found.push({ pid, nsPids: parseNsPids(readText(`/proc/${pid}/status`) ?? ''), comm: (readText(`/proc/${pid}/comm`) ?? '').trim(), cmdline: (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim() });
  }
  return found;
}

/** The outer pid of the process whose pid inside the lab's namespace is `inner`. */
function outerPid(pidNs: string, inner: number): LabProcess | undefined {
  return processesInPidNamespace(pidNs).find((p) => p.nsPids.length >= 2 && p.nsPids[p.nsPids.length - 1] === inner);
}

/** What the state directory says and what is really running. */
function probe(paths: LabPaths): { probe: Omit<LabProbe, 'banner'>; pidNs?: string } {
  const exists = existsSync(paths.dir);
  const pidNs = readText(paths.pidNamespace)?.trim() || undefined;
  const holderPid = parsePidFile(readText(paths.holderPid));
  const labPid = parsePidFile(readText(paths.labPid));
  const sshdInner = parsePidFile(readText(paths.sshdPid));
  // A pid is ours only while it is in (or, for the outer ends, makes children in) the lab's pid
  // namespace: a recycled pid never is.
  const ours = (pid: number | undefined, ns: 'pid' | 'pid_for_children'): boolean => pid !== undefined && pidNs !== undefined && nsLink(pid, ns) === pidNs && alive(pid);
  const sshd = pidNs !== undefined && sshdInner !== undefined ? outerPid(pidNs, sshdInner) : undefined;
  // The forwarder is the node program under nsenter; it is what serves the socket.
  const forwarder = pidNs !== undefined ? processesInPidNamespace(pidNs).find((p) => p.cmdline.split(' ').includes(paths.forwarder)) : undefined;
  let infoValid = false;
  try {
    parseLabInfo(readText(paths.labJson) ?? '');
    infoValid = true;
  } catch {
    // reported by assessLab
  }
  return {
    pidNs,
    probe: {
      exists,
      infoValid,
      holder: { ...(holderPid ? { pid: holderPid } : {}), alive: ours(holderPid, 'pid_for_children') },
      labHost: { ...(labPid ? { pid: labPid } : {}), alive: ours(labPid, 'pid') },
      sshd: { ...(sshd ? { pid: sshd.pid } : {}), alive: sshd !== undefined && sshd.comm === 'sshd' },
      forwarder: { ...(forwarder ? { pid: forwarder.pid } : {}), alive: forwarder !== undefined },
    },
  };
}

/** The first line the socket sends within `timeoutMs` (sshd's banner), or undefined. */
export function readBanner(socket: string, timeoutMs = 3_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let data = '';
    const s = connect(socket);
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(data === '' ? undefined : data), timeoutMs);
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      const eol = data.indexOf('\n');
      if (eol >= 0) done(data.slice(0, eol).replace(/\r$/, ''));
    });
    s.on('error', () => done(undefined));
    s.on('close', () => done(data === '' ? undefined : data));
  });
}

/** The result of `labStatus`. */
export interface LabStatus {
  name: string;
  dir: string;
  probe: LabProbe;
  health: LabHealth;
  info?: LabInfo;
}

/** Checks lab `name`: its processes and whether its socket answers with an SSH banner. */
export async function labStatus(name: string, env: Env): Promise<LabStatus> {
  const dir = labDir(name, env);
  const paths = labPaths(dir);
  const { probe: found } = probe(paths);
  const banner = found.exists && existsSync(paths.socket) ? await readBanner(paths.socket) : undefined;
  const full: LabProbe = { ...found, ...(banner !== undefined ? { banner } : {}) };
  let info: LabInfo | undefined;
  try {
    info = parseLabInfo(readText(paths.labJson) ?? '', paths.labJson);
  } catch {
    // absent or invalid: assessLab says so
  }
  return { name, dir, probe: full, health: assessLab(full), ...(info ? { info } : {}) };
}

/** The prefix that runs a command inside lab `name`'s lab host, e.g. `[...enterLab(n, env), 'ip', 'netns']`. */
export function enterLab(name: string, env: Env): string[] {
  const labPid = parsePidFile(readText(labPaths(labDir(name, env)).labPid));
  if (labPid === undefined) throw new LabError(`lab "${name}" is not up (no lab host pid in ${labDir(name, env)})`, EXIT.down);
  return enterLabArgv(labPid);
}

/** What is deployed in lab `name`'s lab host (read inside it); throws LabError when it is not up or cannot be read. */
export function labOccupancy(name: string, env: Env): LabOccupancy {
  const argv = [...enterLab(name, env), 'bash', '-c', OCCUPANCY_SCRIPT];
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { env: childEnv(env), encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) throw new LabError(`cannot list what lab "${name}" holds: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return parseOccupancy(r.stdout);
}

/** The names of the lab hosts under the lab base directory (those whose directory is a lab name), sorted. */
export function labNames(env: Env): string[] {
  let entries: string[];
  try {
    entries = readdirSync(labBaseDir(env), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  return entries.filter((n) => labNameProblem(n) === undefined).sort();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts argv detached (a session of its own, so it outlives this process), output to `log`. */
function spawnDetached(argv: readonly string[], log: string, env: Env): number {
  const fd = openSync(log, 'a', 0o600);
  try {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', fd, fd], env: childEnv(env) });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new LabError(`cannot start ${cmd}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

function runSync(argv: readonly string[], env: Env): string {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { env: childEnv(env), encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) throw new LabError(`${argv.join(' ')} failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return r.stdout;
}

function tail(path: string, lines = 15): string {
  const text = readText(path);
  if (!text?.trim()) return '';
  return `--- ${path}\n${text.trimEnd().split('\n').slice(-lines).join('\n')}\n`;
}

/** Polls `check` every 50 ms; resolves its first defined value, rejects with `what` after `timeoutMs` or when `gone()` says the process died. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined, gone: () => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (gone()) throw new LabError(`${what}: the process exited`);
    if (Date.now() > deadline) throw new LabError(`${what}: timed out after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** The result of `labUp`. */
export interface LabUp {
  info: LabInfo;
  /** False when a healthy lab of that name was already up (nothing was changed). */
  created: boolean;
  dir: string;
}

/**
 * Builds lab `name` and resolves with its connection details; a healthy lab of that name is
 * reported as it is. Throws LabError when the machine lacks something, when a lab of that name
 * is partly up, or when a step fails (then everything started is taken down again).
 */
export async function labUp(name: string, env: Env): Promise<LabUp> {
  const facts = machineFacts(env);
  const problems = prerequisiteProblems(facts);
  if (problems.length > 0) throw new LabError(`cannot build a sandbox lab host: ${problems.join('; ')}`);
  const node = nodeBinary(env);
  if (node === undefined) throw new LabError('cannot build a sandbox lab host: its socket forwarder needs Node.js ("node" on PATH); install nodejs');
  const tools: LabTools = { node, sshd: facts.tools.sshd! };
  const dir = labDir(name, env);
  const dirProblem = labDirProblem(dir);
  if (dirProblem !== undefined) throw new LabError(dirProblem);
  const paths = labPaths(dir);

  const current = await labStatus(name, env);
  if (current.health.state === 'healthy' && current.info) return { info: current.info, created: false, dir };
  if (current.health.state === 'partial') {
    throw new LabError(`lab "${name}" is partly up (${current.health.problems.join('; ')}); take it down first: nsd lab down --name ${name}`, EXIT.partlyUp);
  }
  // Leftovers of a lab whose processes are gone (a crash): clear them and start afresh.
  if (current.health.state === 'down') await labDown(name, env);

  mkdirSync(labBaseDir(env), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new LabError(`${dir} appeared while this lab was being built: is another "nsd lab up --name ${name}" running?`);
    throw new LabError(`cannot create ${dir}: ${(e as Error).message}`);
  }
  try {
    return { info: await build(name, paths, tools, env), created: true, dir };
  } catch (e) {
    const logs = [paths.holderLog, paths.sshdLog, paths.upstreamLog, paths.forwarderLog].map((p) => tail(p)).join('');
    await labDown(name, env).catch(() => undefined);
    const message = e instanceof LabError ? e.message : (e as Error).stack ?? String(e);
    throw new LabError(`cannot build lab "${name}": ${message}${logs ? `\n${logs}` : ''}`);
  }
}

async function build(name: string, paths: LabPaths, tools: LabTools, env: Env): Promise<LabInfo> {
  runSync(keygenArgv(paths.hostKey, `nsd-lab-${name}-host`), env);
  runSync(keygenArgv(paths.clientKey, `nsd-lab-${name}-root`), env);
  writeFileSync(paths.authorizedKeys, readFileSync(`${paths.clientKey}.pub`), { mode: 0o600 });
  const hostKeyPub = readFileSync(`${paths.hostKey}.pub`, 'utf8');
  const hostKeyLine = hostKeyLineFor(hostKeyPub);
  const hostKeyFingerprint = parseKeygenFingerprint(runSync(['ssh-keygen', '-lf', `${paths.hostKey}.pub`], env));
  writeFileSync(paths.knownHosts, `${hostKeyLine}\n`, { mode: 0o644 });
  writeFileSync(paths.sshdConfig, sshdConfig(paths), { mode: 0o600 });
  writeFileSync(paths.sshConfig, sshClientConfig(paths), { mode: 0o644 });
  writeFileSync(paths.holderScript, holderScript(paths, tools), { mode: 0o700 });
  writeFileSync(paths.labHostScript, labHostScript(paths, tools), { mode: 0o700 });
  writeFileSync(paths.upstreamServer, upstreamServerSource(), { mode: 0o600 });
  writeFileSync(paths.forwarder, forwarderSource(), { mode: 0o600 });
  writeFileSync(paths.sshProxy, sshProxySource(tools.node, paths), { mode: 0o700 });
  chmodSync(paths.sshProxy, 0o700);

  const holderPid = spawnDetached(holderArgv(paths), paths.holderLog, env);
  writeFileSync(paths.holderPid, `${holderPid}\n`);
  const holderGone = (): boolean => !alive(holderPid);
  // Ready when sshd has written its PidFile (it listens by then), the lab host its pid, and the
  // upstream server says it listens.
  await waitFor(
    'waiting for the lab host and its sshd',
    20_000,
    () => (existsSync(paths.sshdPid) && existsSync(paths.labInnerPid) && /listening on/.test(readText(paths.upstreamLog) ?? '') ? true : undefined),
    holderGone,
  );
  const pidNs = nsLink(holderPid, 'pid_for_children');
  if (pidNs === undefined || pidNs === nsLink(process.pid, 'pid')) throw new LabError('the holder has no pid namespace of its own');
  writeFileSync(paths.pidNamespace, `${pidNs}\n`);
  const labInner = parsePidFile(readText(paths.labInnerPid));
  const labHost = labInner !== undefined ? outerPid(pidNs, labInner) : undefined;
  if (labHost === undefined) throw new LabError('the lab host holder is not running');
  writeFileSync(paths.labPid, `${labHost.pid}\n`);

  const forwarderPid = spawnDetached(forwarderArgv(paths, tools, holderPid), paths.forwarderLog, env);
  writeFileSync(paths.forwarderPid, `${forwarderPid}\n`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const banner = existsSync(paths.socket) ? await readBanner(paths.socket, 1_000) : undefined;
    if (banner?.startsWith('SSH-2.0-')) break;
    if (!alive(forwarderPid) || holderGone()) throw new LabError('waiting for sshd to answer on the socket: the forwarder or the holder exited');
    if (Date.now() > deadline) throw new LabError(`waiting for sshd to answer on the socket: timed out after 10 s (last answer: ${JSON.stringify(banner ?? null)})`);
    await sleep(50);
  }

  const info = labInfoSchema.parse({
    name,
    socket: paths.socket,
    host: LAB_NET.mgmtAddress,
    port: LAB_NET.sshPort,
    user: 'root',
    privateKey: paths.clientKey,
    hostKeyFingerprint,
    hostKeyLine,
    knownHosts: paths.knownHosts,
    sshConfig: paths.sshConfig,
    upstream: LAB_NET.upstreamAddress,
    uplink: LAB_NET.uplink,
    createdAt: new Date().toISOString(),
  } satisfies LabInfo);
  writeFileSync(paths.labJson, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o644 });
  return info;
}

/** The result of `labDown`. */
export interface LabDown {
  /** False when there was no state directory (nothing to do). */
  existed: boolean;
  dir: string;
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/**
 * Kills every process of lab `name` and removes its state directory. Works after a crash too:
 * the pid namespace recorded at `up` finds whatever is left. Throws LabError (keeping the
 * directory) when some process survives.
 */
export async function labDown(name: string, env: Env): Promise<LabDown> {
  const dir = labDir(name, env);
  const paths = labPaths(dir);
  if (!existsSync(dir)) return { existed: false, dir };
  const { probe: found, pidNs } = probe(paths);
  const holderPid = parsePidFile(readText(paths.holderPid));
  // Before the pid namespace was recorded (an `up` that failed early) the holder's command line
  // still names its script: that identifies it.
  const holderByCmdline = holderPid !== undefined && alive(holderPid) && (readText(`/proc/${holderPid}/cmdline`) ?? '').split('\0').includes(paths.holderScript);
  const forwarderPid = parsePidFile(readText(paths.forwarderPid));
  const forwarderOurs = forwarderPid !== undefined && pidNs !== undefined && alive(forwarderPid) && nsLink(forwarderPid, 'pid_for_children') === pidNs;
  if (forwarderOurs) killGroup(forwarderPid);
  if ((found.holder.alive || holderByCmdline) && holderPid !== undefined) killGroup(holderPid);
  // pid 1 of the namespace is in the holder's group; its death makes the kernel kill the rest.
  // Kill what is left directly too, in case the holder was already gone.
  if (pidNs !== undefined) for (const p of processesInPidNamespace(pidNs)) killGroup(p.pid);

  const leftovers = (): string[] => [
    ...(pidNs !== undefined ? processesInPidNamespace(pidNs).map((p) => `${p.pid} ${p.comm}`) : []),
    ...[holderPid, forwarderPid]
      .filter((p): p is number => p !== undefined && alive(p) && (nsLink(p, 'pid_for_children') === pidNs || (p === holderPid && holderByCmdline)))
      .map((p) => `${p}`),
  ];
  const deadline = Date.now() + 10_000;
  while (leftovers().length > 0 && Date.now() < deadline) await sleep(50);
  const left = leftovers();
  if (left.length > 0) throw new LabError(`lab "${name}": these processes survived SIGKILL: ${left.join(', ')}; ${dir} is kept`);
  rmSync(dir, { recursive: true, force: true });
  return { existed: true, dir };
}
