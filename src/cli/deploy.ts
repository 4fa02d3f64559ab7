/**
 * `nsd deploy|verify|destroy|status FILE --host [user@]host[:port]`: compiles the document and
 * runs one lab.sh action over SSH, printing lab.sh's own progress (or, with --json, one
 * RunEvent per line), and exits with a code per failure class.
 */
import { homedir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { compileValidated } from '../shared/compiler/index.js';
import { validateText } from '../shared/compiler/validate.js';
import type { RunAction, RunErrorKind, RunEvent } from '../shared/deploy/events.js';
import { connect, ConnectError } from '../main/ssh/connection.js';
import { knownHostsLine, parseKnownHosts } from '../main/ssh/known-hosts.js';
import type { Privilege } from '../main/ssh/remote-command.js';
import { runAction } from '../main/ssh/runner.js';
import { resolveTarget, TargetError } from '../main/ssh/target.js';
import { createConnection } from 'node:net';
import { formatProblem } from '../shared/compiler/problems.js';

/** Exit codes of the deploy commands (0-3 are shared with the other commands). */
export const DEPLOY_EXIT = {
  ok: 0,
  problems: 1,
  usage: 2,
  /** Could not connect, host key not trusted or changed, or login refused. */
  connect: 4,
  /** Logged in, but sudo refused. */
  sudo: 5,
  /** lab.sh failed at a step (the step is named). */
  script: 6,
  /** verify ran and some probe did not match its expectation. */
  probes: 7,
  /** Timed out, cancelled, or the connection dropped mid-run. */
  interrupted: 8,
  /** status: the lab is partly up. */
  partlyUp: 9,
  /** status: the lab is down. */
  down: 10,
} as const;

export interface DeployIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  appendFile(path: string, data: string): Promise<void>;
  env: Record<string, string | undefined>;
}

export interface DeployArgs {
  action: RunAction;
  file: string;
  host: string;
  identity?: string;
  sudo: boolean;
  acceptNew: boolean;
  /** Connect through a unix socket (the local sandbox lab host) instead of TCP. */
  socket?: string;
  timeoutSeconds?: number;
  json: boolean;
  /** Cancels the run (Ctrl-C); the runner then stops it on the host. */
  signal?: AbortSignal;
}

const EXIT_OF: Record<RunErrorKind, number> = {
  connect: DEPLOY_EXIT.connect,
  'host-key-unknown': DEPLOY_EXIT.connect,
  'host-key-changed': DEPLOY_EXIT.connect,
  auth: DEPLOY_EXIT.connect,
  sudo: DEPLOY_EXIT.sudo,
  script: DEPLOY_EXIT.script,
  timeout: DEPLOY_EXIT.interrupted,
  cancelled: DEPLOY_EXIT.interrupted,
  'connection-lost': DEPLOY_EXIT.interrupted,
};

async function readOptional(io: DeployIo, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch {
    return '';
  }
}

/** Runs one deploy command; resolves to the exit code. */
export async function deployCommand(args: DeployArgs, io: DeployIo): Promise<number> {
  let text: string;
  try {
    text = await io.readFile(args.file);
  } catch (e) {
    io.stderr(`nsd: cannot read ${args.file}: ${(e as Error).message}\n`);
    return DEPLOY_EXIT.usage;
  }
  const compiled = compileValidated(validateText(text), { source: basename(args.file) });
  const problems = compiled.ok ? compiled.warnings : compiled.problems;
  for (const p of problems) io.stderr(`${formatProblem(p, args.file)}\n`);
  if (!compiled.ok) return DEPLOY_EXIT.problems;

  const home = io.env.HOME ?? homedir();
  const appStore = join(io.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'netns-designer', 'known_hosts');
  let target;
  try {
    target = resolveTarget(args.host, await readOptional(io, join(home, '.ssh', 'config')), { user: io.env.USER ?? userInfo().username, home });
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    io.stderr(`nsd: ${e.message}\n`);
    return DEPLOY_EXIT.usage;
  }
  const knownHosts = parseKnownHosts(`${await readOptional(io, join(home, '.ssh', 'known_hosts'))}\n${await readOptional(io, appStore)}`);
  const keyPaths = args.identity !== undefined ? [args.identity] : target.identityFiles.length > 0 ? target.identityFiles : [join(home, '.ssh', 'id_ed25519'), join(home, '.ssh', 'id_rsa')];
  let privateKey: string | undefined;
  for (const path of keyPaths) {
    privateKey = (await readOptional(io, path)) || undefined;
    if (privateKey) break;
  }
  if (args.identity !== undefined && !privateKey) {
    io.stderr(`nsd: cannot read the key ${args.identity}\n`);
    return DEPLOY_EXIT.usage;
  }

  const emit = (event: RunEvent): void => {
    if (args.json) {
      io.stdout(`${JSON.stringify(event)}\n`);
      return;
    }
    if (event.type === 'output') (event.stream === 'stdout' ? io.stdout : io.stderr)(`${event.line}\n`);
    else if (event.type === 'error') io.stderr(`nsd: ${event.message}\n`);
  };

  let connection;
  try {
    connection = await connect({
      host: target.host,
      port: target.port,
      username: target.user,
      knownHosts,
      confirmHostKey: (print, host, port) => {
        if (!args.acceptNew) return Promise.resolve(false);
        io.stderr(`nsd: trusting the new host key of ${host}:${port} (${print}), as --accept-new says\n`);
        return Promise.resolve(true);
      },
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(io.env.NSD_SSH_PASSPHRASE !== undefined ? { passphrase: io.env.NSD_SSH_PASSPHRASE } : {}),
      ...(io.env.SSH_AUTH_SOCK ? { agent: io.env.SSH_AUTH_SOCK } : {}),
      ...(io.env.NSD_SSH_PASSWORD !== undefined ? { password: io.env.NSD_SSH_PASSWORD } : {}),
      ...(args.socket !== undefined ? { sock: createConnection(args.socket) } : {}),
    });
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    emit({ type: 'error', at: Date.now(), kind: e.kind, message: e.message });
    return EXIT_OF[e.kind];
  }
  try {
    if (connection.newlyTrusted) {
      await io.appendFile(appStore, knownHostsLine(target.host, target.port, connection.hostKey));
    }
    const privilege: Privilege = target.user === 'root' ? 'root' : args.sudo ? (io.env.NSD_SUDO_PASSWORD !== undefined ? 'sudo-password' : 'sudo') : 'root';
    emit({ type: 'connected', at: Date.now(), host: `${target.host}:${target.port}`, user: target.user, fingerprint: connection.fingerprint, sudo: privilege !== 'root' });
    if (!args.json) io.stderr(`nsd: connected to ${target.user}@${target.host}:${target.port} (${connection.fingerprint})\n`);
    let failedProbes = 0;
    const outcome = await runAction(connection.client, {
      action: args.action,
      script: compiled.script,
      steps: args.action === 'up' ? compiled.up : args.action === 'down' ? compiled.down : [],
      probes: compiled.plan.probes,
      privilege,
      ...(io.env.NSD_SUDO_PASSWORD !== undefined ? { password: io.env.NSD_SUDO_PASSWORD } : {}),
      ...(args.timeoutSeconds !== undefined ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
      onEvent: (event) => {
        if (event.type === 'probe' && event.probe.result === 'fail') {
          failedProbes++;
          if (!args.json && event.probe.cause) io.stderr(`nsd: probe ${event.probe.id}: ${event.probe.cause}\n`);
        }
        if (event.type === 'step-failed' && !args.json) {
          io.stderr(`nsd: ${args.action} failed at step ${event.step.index}/${event.step.total} (${event.step.id}${event.step.element ? `, element ${event.step.element}` : ''}): ${event.command || event.step.title}\n`);
        }
        emit(event);
      },
    });
    if (outcome.ok) return DEPLOY_EXIT.ok;
    if (args.action === 'verify' && failedProbes > 0 && outcome.error?.kind === 'script') return DEPLOY_EXIT.probes;
    if (args.action === 'status' && outcome.exitCode === 3) return DEPLOY_EXIT.partlyUp;
    if (args.action === 'status' && outcome.exitCode === 4) return DEPLOY_EXIT.down;
    return EXIT_OF[outcome.error?.kind ?? 'script'];
  } finally {
    connection.client.end();
  }
}

/** The real file append, creating the directory (for the app's known_hosts store). */
export async function appendFileCreatingDir(path: string, data: string): Promise<void> {
  const { appendFile, mkdir } = await import('node:fs/promises');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, data, { mode: 0o600 });
}
