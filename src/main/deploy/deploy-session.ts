/**
 * One deploy run from start to end, for the CLI and the desktop app alike: resolve the target
 * through ~/.ssh/config, check its host key against known_hosts and the app's own store (a
 * sandbox lab host: against the key in the lab.json beside its socket), pick the login, connect, remember a newly trusted key, run one lab.sh action and report it as
 * RunEvents. Connection, login and sudo problems become an `error` event and the outcome; they
 * are never thrown.
 */
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { CompileResult } from '../../shared/compiler/index.js';
import type { HostAction, RunErrorKind, RunEvent } from '../../shared/deploy/events.js';
import { connect, ConnectError, type Connection } from '../ssh/connection.js';
import { appendCreatingDir, knownHostsPaths } from '../ssh/host-key-store.js';
import { labHostKeyPin } from '../lab/lab-info.js';
import { labPaths } from '../lab/lab-scripts.js';
import { knownHostsLine, parseKnownHosts, type PinnedHostKey } from '../ssh/known-hosts.js';
import type { Privilege } from '../ssh/remote-command.js';
import { DEFAULT_TIMEOUT_MS, runAction } from '../ssh/runner.js';
import { expandHome, resolveTarget, TargetError, type Target } from '../ssh/target.js';

/** Where to deploy. */
export interface DeployTarget {
  /** `[user@]host[:port]` or a ~/.ssh/config alias. */
  host: string;
  /** A private key file; default: the alias's IdentityFile, else ~/.ssh/id_ed25519, ~/.ssh/id_rsa. */
  identityFile?: string;
  /** The unix socket of a local sandbox lab host, instead of TCP. */
  socket?: string;
  /** Not root: run through sudo (with `sudoPassword` when given). */
  sudo: boolean;
}

/** What the user typed or stored; never logged, never put on a command line. */
export interface DeploySecrets {
  password?: string;
  passphrase?: string;
  sudoPassword?: string;
  /** Key text; overrides identity files. */
  privateKey?: string;
}

/** The user's machine as the session sees it (the CLI and the app each pass their own). */
export interface DeployEnv {
  home: string;
  user: string;
  /** SSH_AUTH_SOCK (ssh-agent) and XDG_CONFIG_HOME (the app's known_hosts store) are read from here. */
  env: Record<string, string | undefined>;
  readFile(path: string): Promise<string>;
  /** Appends, creating the file (mode 600) and its directory (mode 700). */
  appendFile(path: string, data: string): Promise<void>;
}

export interface DeploySessionRequest {
  action: HostAction;
  compiled: Extract<CompileResult, { ok: true }>;
  target: DeployTarget;
  secrets: DeploySecrets;
  /** Asked for a host key that is not known yet; resolve true to trust it. */
  confirmHostKey(fingerprint: string, host: string, port: number): Promise<boolean>;
  /** The session's time limit, from connecting to the end of the run on the host (default 10 minutes); time spent asking confirmHostKey does not count. */
  timeoutMs?: number;
  /** Cancels the session: while connecting, or the run on the host. */
  signal?: AbortSignal;
  onEvent(event: RunEvent): void;
}

export interface DeploySessionOutcome {
  ok: boolean;
  /** lab.sh's exit status; null when it did not run to an end. */
  exitCode: number | null;
  error?: { kind: RunErrorKind; message: string };
  /** Probes whose observation did not match the expectation (verify). */
  failedProbes: number;
}

/** This machine as a DeployEnv: HOME and USER from `env` (else the OS's), real file reads and appends. */
export function localDeployEnv(env: Record<string, string | undefined>): DeployEnv {
  return {
    home: env.HOME ?? homedir(),
    user: env.USER ?? userInfo().username,
    env,
    readFile: (path) => readFile(path, 'utf8'),
    appendFile: appendCreatingDir,
  };
}

/** The app's known_hosts store, under XDG_CONFIG_HOME (else ~/.config). */
export function appKnownHostsPath(env: DeployEnv): string {
  return knownHostsPaths({ ...env.env, HOME: env.home }).app;
}

/** How the session becomes root on the host: root needs nothing, others sudo (with a password when there is one). */
export function privilegeFor(user: string, target: Pick<DeployTarget, 'sudo'>, secrets: Pick<DeploySecrets, 'sudoPassword'>): Privilege {
  if (user === 'root' || !target.sudo) return 'root';
  return secrets.sudoPassword !== undefined ? 'sudo-password' : 'sudo';
}

/** The key files to try, in order: the one asked for, else the alias's IdentityFile, else the defaults. */
export function keyCandidates(target: Pick<DeployTarget, 'identityFile'>, resolved: Pick<Target, 'identityFiles'>, home: string): string[] {
  if (target.identityFile !== undefined) return [expandHome(target.identityFile, home)];
  if (resolved.identityFiles.length > 0) return resolved.identityFiles;
  return [join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_rsa')];
}

async function readOptional(env: DeployEnv, path: string): Promise<string> {
  try {
    return await env.readFile(path);
  } catch {
    return '';
  }
}

class SessionError extends Error {
  constructor(
    readonly kind: RunErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one action on the target; resolves with its outcome, having reported everything through onEvent. */
export async function runDeploySession(req: DeploySessionRequest, env: DeployEnv): Promise<DeploySessionOutcome> {
  const fail = (kind: RunErrorKind, message: string): DeploySessionOutcome => {
    req.onEvent({ type: 'error', at: Date.now(), kind, message });
    return { ok: false, exitCode: null, error: { kind, message }, failedProbes: 0 };
  };
  let connection: Connection;
  let target: Target;
  const clock = sessionClock(req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  try {
    ({ connection, target } = await open(req, env, clock));
  } catch (e) {
    if (e instanceof ConnectError || e instanceof SessionError) return fail(e.kind, e.message);
    throw e;
  }
  try {
    const privilege = privilegeFor(target.user, req.target, req.secrets);
    req.onEvent({ type: 'connected', at: Date.now(), host: `${target.host}:${target.port}`, user: target.user, fingerprint: connection.fingerprint, sudo: privilege !== 'root' });
    await rememberHostKey(env, connection, target, (line) => req.onEvent({ type: 'output', at: Date.now(), stream: 'stderr', line }));
    let failedProbes = 0;
    const { compiled } = req;
    const outcome = await runAction(connection.client, {
      action: req.action,
      script: compiled.script,
      steps: req.action === 'up' ? compiled.up : req.action === 'down' ? compiled.down : [],
      probes: compiled.probes,
      privilege,
      ...(req.secrets.sudoPassword !== undefined ? { password: req.secrets.sudoPassword } : {}),
      timeoutMs: clock.limitMs,
      spentMs: clock.spent(),
      ...(req.signal ? { signal: req.signal } : {}),
      onEvent: (event) => {
        if (event.type === 'probe' && event.probe.result === 'fail') failedProbes++;
        req.onEvent(event);
      },
    });
    return { ...outcome, failedProbes };
  } finally {
    connection.client.end();
  }
}

/** What opening a session needs: the deploy request without the action and its events. */
export type SessionOpenRequest = Pick<DeploySessionRequest, 'target' | 'secrets' | 'confirmHostKey' | 'timeoutMs' | 'signal'>;

/** A connected session for work other than a lab.sh action (terminals, exec, capture): same target, host-key, login and sudo rules. */
export interface OpenSession {
  connection: Connection;
  target: Target;
  /** How this login becomes root, before checkPrivilege() on the host. */
  privilege: Privilege;
}

/**
 * Connects as runDeploySession does (resolving the target, checking and remembering its host
 * key, picking the login); `warn` hears what is worth saying but not fatal. Problems are returned.
 */
export async function openSession(req: SessionOpenRequest, env: DeployEnv, warn: (line: string) => void): Promise<{ ok: true; session: OpenSession } | { ok: false; error: { kind: RunErrorKind; message: string } }> {
  let opened: { connection: Connection; target: Target };
  try {
    opened = await open(req, env, sessionClock(req.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  } catch (e) {
    if (e instanceof ConnectError || e instanceof SessionError) return { ok: false, error: { kind: e.kind, message: e.message } };
    throw e;
  }
  const { connection, target } = opened;
  await rememberHostKey(env, connection, target, warn);
  return { ok: true, session: { connection, target, privilege: privilegeFor(target.user, req.target, req.secrets) } };
}

/**
 * Stores a key trusted through confirmHostKey in the app's known_hosts, and says so. Called only
 * once logged in: a key accepted for a login that was then refused is not remembered.
 */
async function rememberHostKey(env: DeployEnv, connection: Connection, target: Target, say: (line: string) => void): Promise<void> {
  if (!connection.newlyTrusted) return;
  const store = appKnownHostsPath(env);
  await env.appendFile(store, knownHostsLine(target.host, target.port, connection.hostKey)).then(
    () => say(`remembered the host key of ${target.host}:${target.port} (${connection.fingerprint}) in ${store}`),
    // Not fatal: the key was trusted for this run; the next one asks again.
    (e: Error) => say(`warning: cannot remember the host key in ${store}: ${e.message}`),
  );
}

/** The session's time limit: wall time since the start, less the time a person spent answering a host key question. */
interface SessionClock {
  limitMs: number;
  spent(): number;
  pausedWhile<T>(question: Promise<T>): Promise<T>;
}

function sessionClock(limitMs: number): SessionClock {
  const started = Date.now();
  let paused = 0;
  return {
    limitMs,
    spent: () => Date.now() - started - paused,
    pausedWhile: (question) => {
      const asked = Date.now();
      return question.finally(() => (paused += Date.now() - asked));
    },
  };
}

/** The sandbox lab host's own key when `socket` is a lab host's (its lab.json lies beside it). */
async function labPin(env: DeployEnv, socket: string): Promise<PinnedHostKey | undefined> {
  const labJson = labPaths(dirname(socket)).labJson;
  return labHostKeyPin(socket, labJson, await readOptional(env, labJson));
}

/** Resolves the target, reads what the login needs and connects; throws ConnectError or SessionError. */
async function open(req: SessionOpenRequest, env: DeployEnv, clock: SessionClock): Promise<{ connection: Connection; target: Target }> {
  if (req.signal?.aborted) throw new SessionError('cancelled', 'cancelled before it started; nothing ran');
  let target: Target;
  try {
    target = resolveTarget(req.target.host, await readOptional(env, join(env.home, '.ssh', 'config')), { user: env.user, home: env.home });
  } catch (e) {
    if (e instanceof TargetError) throw new SessionError('connect', e.message);
    throw new SessionError('connect', `cannot read ~/.ssh/config for ${req.target.host}: ${(e as Error).message}`);
  }
  const stores = knownHostsPaths({ ...env.env, HOME: env.home });
  const knownHosts = [...parseKnownHosts(await readOptional(env, stores.user), stores.user), ...parseKnownHosts(await readOptional(env, stores.app), stores.app)];
  const socket = req.target.socket !== undefined ? expandHome(req.target.socket, env.home) : undefined;
  const pinnedHostKey = socket !== undefined ? await labPin(env, socket) : undefined;

  let privateKey = req.secrets.privateKey;
  if (privateKey === undefined) {
    for (const path of keyCandidates(req.target, target, env.home)) {
      privateKey = (await readOptional(env, path)) || undefined;
      if (privateKey !== undefined) break;
    }
    if (privateKey === undefined && req.target.identityFile !== undefined) {
      throw new SessionError('auth', `cannot read the private key ${req.target.identityFile}; pick another key file`);
    }
  }

  const agent = env.env.SSH_AUTH_SOCK;
  const connection = await connect({
    host: target.host,
    port: target.port,
    username: target.user,
    knownHosts,
    ...(pinnedHostKey ? { pinnedHostKey } : {}),
    confirmHostKey: (fingerprint, host, port) => clock.pausedWhile(req.confirmHostKey(fingerprint, host, port)),
    timeLeftMs: clock.limitMs - clock.spent(),
    timeLimitMs: clock.limitMs,
    ...(privateKey !== undefined ? { privateKey } : {}),
    ...(req.secrets.passphrase !== undefined ? { passphrase: req.secrets.passphrase } : {}),
    ...(agent ? { agent } : {}),
    ...(req.secrets.password !== undefined ? { password: req.secrets.password } : {}),
    ...(socket !== undefined ? { sock: createConnection(socket) } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  return { connection, target };
}
