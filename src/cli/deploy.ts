/**
 * `nsd deploy|verify|destroy|status FILE --host [user@]host[:port]`, `nsd destroy --lab NAME` and
 * `nsd labs`: compiles the document (for --lab and labs, an empty drawing of that name: down
 * follows the lab's record on the host, labs reads every record) and runs one lab.sh action over SSH through the deploy session the desktop app uses too, printing
 * lab.sh's own output (on a terminal with a progress line; with --json one RunEvent per line),
 * and exits with a code per failure class.
 */
import { basename } from 'node:path';
import { compileValidated, type CompileResult } from '../shared/compiler/index.js';
import { formatProblem } from '../shared/compiler/problems.js';
import { validateText } from '../shared/compiler/validate/index.js';
import type { HostAction, ProbeResult, RunEvent } from '../shared/deploy/events.js';
import { rediagnose } from '../shared/deploy/diagnose.js';
import { inspectSummary, liveFacts, parseInspect } from '../shared/deploy/inspect.js';
import { recordOnlyDocument } from '../shared/deploy/record-only.js';
import { EXIT, EXIT_OF_LAB_SH_STATUS, EXIT_OF_RUN_ERROR, LAB_SH_BUSY } from '../shared/exit-codes.js';
import { localDeployEnv, runDeploySession, type DeployEnv, type DeploySecrets, type DeployTarget } from '../main/deploy/deploy-session.js';
import { parseTarget, TargetError } from '../main/ssh/target.js';
import { isStepLine, ProgressOutput, type TerminalInfo } from './progress.js';

export interface DeployIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  appendFile(path: string, data: string): Promise<void>;
  env: Record<string, string | undefined>;
  /** Which streams are terminals (a progress line then replaces lab.sh's step lines). */
  terminal?: TerminalInfo;
}

export interface DeployArgs {
  action: HostAction;
  /** The drawing; without it, `lab` names the lab (destroy) or nothing does (labs). */
  file?: string;
  lab?: string;
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


/** The connection part of the deploy arguments, shared with exec, shell and capture. */
export type SessionArgs = Pick<DeployArgs, 'file' | 'lab' | 'host' | 'identity' | 'sudo' | 'socket'>;

/** What a command over SSH needs before it connects: the compiled document, the secrets and the environment. */
export interface PreparedSession {
  compiled: Extract<CompileResult, { ok: true }>;
  secrets: DeploySecrets;
  env: DeployEnv;
  target: DeployTarget;
}

/**
 * Reads and compiles FILE (printing its problems), checks --host and reads the secrets from the
 * environment; resolves to the exit code when something is wrong.
 */
export async function prepareSession(args: SessionArgs, io: DeployIo): Promise<PreparedSession | number> {
  let text: string;
  let label: string;
  if (args.file !== undefined) {
    label = args.file;
    try {
      text = await io.readFile(args.file);
    } catch (e) {
      io.stderr(`nsd: cannot read ${args.file}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  } else {
    // No drawing: down follows the lab's record and labs reads every record, so an empty lab of that name is all they need.
    label = args.lab !== undefined ? `--lab ${args.lab}` : 'labs';
    text = JSON.stringify(recordOnlyDocument(args.lab ?? 'labs'));
  }
  const compiled = compileValidated(validateText(text), { source: args.file !== undefined ? basename(args.file) : label });
  const problems = compiled.ok ? compiled.warnings : compiled.problems;
  for (const p of problems) io.stderr(`${formatProblem(p, label)}\n`);
  if (!compiled.ok) return args.file !== undefined ? EXIT.problems : EXIT.usage;

  // What the user typed wrong is a usage error here; the session would report it as a failed connection.
  try {
    parseTarget(args.host);
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    io.stderr(`nsd: ${e.message}\n`);
    return EXIT.usage;
  }
  const secrets: DeploySecrets = {
    ...(io.env.NSD_SSH_PASSWORD !== undefined ? { password: io.env.NSD_SSH_PASSWORD } : {}),
    ...(io.env.NSD_SSH_PASSPHRASE !== undefined ? { passphrase: io.env.NSD_SSH_PASSPHRASE } : {}),
    ...(io.env.NSD_SUDO_PASSWORD !== undefined ? { sudoPassword: io.env.NSD_SUDO_PASSWORD } : {}),
  };
  if (args.identity !== undefined) {
    try {
      secrets.privateKey = await io.readFile(args.identity);
    } catch {
      secrets.privateKey = '';
    }
    if (secrets.privateKey === '') {
      io.stderr(`nsd: cannot read the key ${args.identity}\n`);
      return EXIT.usage;
    }
  }
  const env: DeployEnv = { ...localDeployEnv(io.env), readFile: io.readFile, appendFile: io.appendFile };
  const target: DeployTarget = { host: args.host, sudo: args.sudo, ...(args.identity !== undefined ? { identityFile: args.identity } : {}), ...(args.socket !== undefined ? { socket: args.socket } : {}) };
  return { compiled, secrets, env, target };
}

/** Runs one deploy command; resolves to the exit code. */
export async function deployCommand(args: DeployArgs, io: DeployIo): Promise<number> {
  const prepared = await prepareSession(args, io);
  if (typeof prepared === 'number') return prepared;
  const { compiled, secrets, env, target } = prepared;

  // inspect prints one JSON document: kept whole, then printed raw (--json) or summed up.
  const inspected: string[] = [];
  // verify keeps its failed probes, to diagnose them again with what inspect sees on the host.
  const failed: ProbeResult[] = [];
  const human = args.json ? undefined : humanOutput(args.action, io);
  const print =
    args.action === 'inspect'
      ? (event: RunEvent) => {
          if (event.type === 'output' && event.stream === 'stdout') inspected.push(event.line);
          else human?.(event);
          if (args.json && event.type === 'error') io.stderr(`nsd: ${event.message}\n`);
        }
      : human &&
        ((event: RunEvent) => {
          if (event.type === 'probe' && event.probe.result === 'fail') failed.push(event.probe);
          human(event);
        });
  const session = (action: HostAction, onEvent: (event: RunEvent) => void) =>
    runDeploySession(
      {
        action,
        compiled,
        target,
        secrets,
        confirmHostKey: confirmByFlag(args.acceptNew, io),
        ...(args.timeoutSeconds !== undefined ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
        ...(args.signal ? { signal: args.signal } : {}),
        onEvent,
      },
      env,
    );
  const outcome = await session(args.action, print ?? ((event) => io.stdout(`${JSON.stringify(event)}\n`)));
  if (outcome.ok && args.action === 'inspect') {
    const text = inspected.join('\n');
    try {
      const report = parseInspect(text);
      io.stdout(args.json ? `${text}\n` : `${inspectSummary(report).join('\n')}\n`);
    } catch (e) {
      io.stderr(`nsd: ${(e as Error).message}\n`);
      return EXIT_OF_RUN_ERROR.script;
    }
  }
  if (outcome.ok) return EXIT.ok;
  if ((args.action === 'up' || args.action === 'down') && outcome.exitCode === LAB_SH_BUSY) return EXIT.busy;
  if (args.action === 'verify' && outcome.failedProbes > 0 && outcome.error?.kind === 'script') {
    if (failed.length > 0) await diagnoseOnHost(failed, compiled, session, io);
    return EXIT.probes;
  }
  const statusExit = args.action === 'status' && outcome.exitCode !== null ? EXIT_OF_LAB_SH_STATUS[outcome.exitCode] : undefined;
  if (statusExit !== undefined) return statusExit;
  return EXIT_OF_RUN_ERROR[outcome.error?.kind ?? 'script'];
}

/**
 * After failed probes: what inspect sees on the host (a link down, a part missing), printed, and
 * the failed probes diagnosed again with it, as the designer does after Verify. A failed inspect
 * only says so: the probes' own diagnosis stands.
 */
async function diagnoseOnHost(
  failed: readonly ProbeResult[],
  compiled: PreparedSession['compiled'],
  run: (action: HostAction, onEvent: (event: RunEvent) => void) => Promise<{ ok: boolean }>,
  io: Pick<DeployIo, 'stderr'>,
): Promise<void> {
  const lines: string[] = [];
  const inspected = await run('inspect', (event) => {
    if (event.type === 'output' && event.stream === 'stdout') lines.push(event.line);
  });
  let report;
  try {
    if (!inspected.ok) throw new Error('lab.sh inspect did not finish');
    report = parseInspect(lines.join('\n'));
  } catch (e) {
    io.stderr(`nsd: could not inspect the lab after the failed probes (${(e as Error).message}); the causes above are the probes' own guesses\n`);
    return;
  }
  for (const line of inspectSummary(report)) io.stderr(`nsd: inspect: ${line}\n`);
  const again = rediagnose(failed, compiled.probes, liveFacts(report, compiled.doc.links));
  again.forEach((p, i) => {
    if (p.cause !== failed[i]!.cause) io.stderr(`nsd: probe ${p.id}, with what inspect saw: ${p.cause}\n`);
  });
}

/** --accept-new as the session's host-key question: trust an unknown key only with the flag, and say so. */
export function confirmByFlag(acceptNew: boolean, io: Pick<DeployIo, 'stderr'>): (fingerprint: string, host: string, port: number) => Promise<boolean> {
  return (fingerprint, host, port) => {
    if (!acceptNew) return Promise.resolve(false);
    // Remembered only once the login succeeds (the session says so then): a refused login stores nothing.
    io.stderr(`nsd: accepting the new host key of ${host}:${port} (${fingerprint}) for this connection, as --accept-new says\n`);
    return Promise.resolve(true);
  };
}

/** Prints the events for people: lab.sh's lines, a progress line on a terminal, and nsd's own notes. */
function humanOutput(action: HostAction, io: DeployIo): (event: RunEvent) => void {
  const out = new ProgressOutput(io, io.terminal);
  // The progress line says what lab.sh's numbered line would; printing both to one terminal is noise.
  const hideStepLines = out.active && io.terminal?.stdout === true;
  return (event) => {
    switch (event.type) {
      case 'connected':
        out.line('stderr', `nsd: connected to ${event.user}@${event.host} (${event.fingerprint})`);
        break;
      case 'step-started':
        out.step(event.step);
        break;
      case 'output':
        if (!(hideStepLines && event.stream === 'stdout' && isStepLine(event.line))) out.line(event.stream, event.line);
        break;
      case 'probe':
        if (event.probe.result === 'fail' && event.probe.cause) out.line('stderr', `nsd: probe ${event.probe.id}: ${event.probe.cause}`);
        break;
      case 'step-failed':
        out.done();
        out.line('stderr', `nsd: ${action} failed at step ${event.step.index}/${event.step.total} (${event.step.id}${event.step.element ? `, element ${event.step.element}` : ''}): ${event.command || event.step.title}`);
        break;
      case 'finished':
        out.done();
        break;
      case 'error':
        out.done();
        out.line('stderr', `nsd: ${event.message}`);
        break;
    }
  };
}

