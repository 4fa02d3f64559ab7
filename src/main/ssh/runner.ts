/**
 * Runs one action of lab.sh on a connected host: the script goes once over one exec channel
 * (`bash -s`), its output comes back as RunEvents. Cancel and the time limit stop the remote
 * process group through a second channel; a dropped connection is reported as such.
 */
import type { Client, ClientChannel } from 'ssh2';
import type { PlannedProbe } from '../../shared/compiler/probes.js';
import type { Step } from '../../shared/compiler/steps.js';
import type { HostAction, RunErrorKind, RunEvent } from '../../shared/deploy/events.js';
import { RunOutputParser } from '../../shared/deploy/output-parser.js';
import { killCommand, PID_LINE, remoteCommand, SUDO_WITHOUT_PASSWORD, sudoCheckCommand, withPidLine, type Privilege } from './remote-command.js';

export interface RunOptions {
  action: HostAction;
  /** The exact lab.sh text (compile().script). */
  script: string;
  steps?: readonly Step[];
  probes?: readonly PlannedProbe[];
  privilege: Privilege;
  /** The sudo password for privilege 'sudo-password': written to sudo's stdin, never logged. */
  password?: string;
  /** Stop the run after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Time of timeoutMs already spent before the run (connecting); the run gets the rest. */
  spentMs?: number;
  signal?: AbortSignal;
  onEvent: (event: RunEvent) => void;
}

export interface RunOutcome {
  ok: boolean;
  exitCode: number | null;
  error?: { kind: RunErrorKind; message: string };
}

interface ExecResult {
  /** undefined when the channel closed without an exit status: the connection went away. */
  code: number | null | undefined;
  stdout: string;
  stderr: string;
  /** Set when the run was stopped (time limit, cancel) while this command ran. */
  stopped?: StopReason;
}

/** The default time limit of a run. */
export const DEFAULT_TIMEOUT_MS = 600_000;

type StopReason = 'cancelled' | 'timeout';

/** The run's time limit and its cancel signal as one stop, from the first sudo check to the end of lab.sh. */
class Stopper {
  reason: StopReason | undefined;
  private readonly listeners = new Set<(why: StopReason) => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.stop('cancelled');

  constructor(
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    if (signal?.aborted) this.reason = 'cancelled';
    else signal?.addEventListener('abort', this.onAbort);
  }

  private stop(why: StopReason): void {
    if (this.reason) return;
    this.reason = why;
    for (const listener of [...this.listeners]) listener(why);
  }

  /** Calls `listener` when the run is stopped (at once if it already is); returns the unsubscribe. */
  onStop(listener: (why: StopReason) => void): () => void {
    if (this.reason) {
      listener(this.reason);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.listeners.clear();
  }
}

/**
 * Runs a short command (a sudo check, a kill). With input or a stopper it runs behind
 * withPidLine(): input is written only after the command itself says it is running (on many
 * hosts the login shell's rc files run first and can swallow early input), and a stop ends its
 * process group on the host.
 */
function exec(client: Client, command: string, options: { input?: string; stopper?: Stopper } = {}): Promise<ExecResult> {
  const { input, stopper } = options;
  const tracked = input !== undefined || stopper !== undefined;
  return new Promise((resolve, reject) => {
    client.exec(tracked ? withPidLine(command) : command, (err, channel) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let pid: number | undefined;
      let done = false;
      let unsubscribe = (): void => undefined;
      const finish = (result: ExecResult): void => {
        if (done) return;
        done = true;
        unsubscribe();
        resolve(result);
      };
      channel.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!tracked || pid !== undefined) return;
        const m = PID_LINE.exec(stdout);
        if (!m) return;
        pid = Number(m[1]);
        stdout = stdout.slice(0, m.index) + stdout.slice(m.index + m[0].length);
        if (input !== undefined) channel.end(input);
      });
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      channel.on('close', (code: number | null | undefined) => finish({ code, stdout, stderr }));
      if (input === undefined) channel.end();
      if (stopper) {
        unsubscribe = stopper.onStop((why) => {
          // A hung check (sudo waiting on a PAM module, an rc file reading stdin) must not outlive
          // the run. sudo keeps the user's real uid until it has authenticated, so a plain kill
          // as the login user reaches it.
          if (pid !== undefined) void exec(client, killCommand(pid, 'root')).catch(() => undefined);
          channel.close();
          finish({ code: undefined, stdout, stderr, stopped: why });
        });
      }
    });
  });
}

/** A short command on the host (a kill, a check), with input written once the command itself runs. */
export function execOnHost(client: Client, command: string, options: { input?: string } = {}): Promise<{ code: number | null | undefined; stdout: string; stderr: string }> {
  return exec(client, command, options);
}

/** What checkPrivilege() found: the privilege to use (a NOPASSWD sudo needs no password) and the password line to write, or why nothing may run. */
export type CheckedPrivilege =
  | { privilege: Privilege; passwordLine?: string }
  | { error: { kind: Extract<RunErrorKind, 'sudo' | 'connection-lost'>; message: string } }
  | { stopped: StopReason };

/**
 * Checks that the login can become root before anything runs, so a wrong sudo password changes
 * nothing; with 'sudo-password' it first asks whether sudo needs the password at all.
 */
export async function checkPrivilege(client: Client, wanted: Privilege, password: string | undefined, stopper?: Stopper): Promise<CheckedPrivilege> {
  let privilege = wanted;
  if (privilege === 'sudo-password') {
    // A NOPASSWD sudo never reads the password: it would reach bash as a command line and be echoed in an error.
    const r = await exec(client, SUDO_WITHOUT_PASSWORD, stopper ? { stopper } : {}).catch((): ExecResult => ({ code: null, stdout: '', stderr: '' }));
    if (r.stopped) return { stopped: r.stopped };
    if (r.code === 0) privilege = 'sudo';
  }
  const passwordLine = privilege === 'sudo-password' ? `${password ?? ''}\n` : undefined;

  const check = sudoCheckCommand(privilege);
  if (check) {
    const r = await exec(client, check, { ...(passwordLine !== undefined ? { input: passwordLine } : {}), ...(stopper ? { stopper } : {}) }).catch((e: Error): ExecResult => ({ code: undefined, stdout: '', stderr: e.message }));
    if (r.stopped) return { stopped: r.stopped };
    if (r.code === undefined) return { error: { kind: 'connection-lost', message: `the connection to the host was lost before the run started (${r.stderr.trim() || 'no exit status'}); nothing ran` } };
    if (r.code !== 0) {
      return { error: { kind: 'sudo', message: `sudo refused on the host (${r.stderr.trim() || `exit ${r.code}`}); use root, a NOPASSWD sudo rule, or the right sudo password` } };
    }
  }
  return { privilege, ...(passwordLine !== undefined ? { passwordLine } : {}) };
}

/** How long the host's login shell may take before our command runs. */
const START_TIMEOUT_MS = 20_000;

/** Runs the action; resolves when the remote command has ended (or was stopped). */
export async function runAction(client: Client, options: RunOptions): Promise<RunOutcome> {
  const stopper = new Stopper(Math.max(0, (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) - (options.spentMs ?? 0)), options.signal);
  try {
    return await run(client, options, stopper);
  } finally {
    stopper.dispose();
  }
}

async function run(client: Client, options: RunOptions, stopper: Stopper): Promise<RunOutcome> {
  const limitSeconds = (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000;
  let settled = false;
  // Nothing is reported after the outcome: a late channel close must not follow a connection-lost.
  const emit = (event: RunEvent): void => {
    if (!settled) options.onEvent(event);
  };
  const fail = (kind: RunErrorKind, message: string, exitCode: number | null = null): RunOutcome => {
    emit({ type: 'error', at: Date.now(), kind, message });
    return { ok: false, exitCode, error: { kind, message } };
  };
  const notStarted = (why: StopReason): RunOutcome =>
    why === 'cancelled'
      ? fail('cancelled', 'cancelled before it started; nothing ran')
      : fail('timeout', `the time limit of ${limitSeconds} s ran out before the run started (while checking sudo on the host); nothing ran`);
  if (stopper.reason) return notStarted(stopper.reason);

  const checked = await checkPrivilege(client, options.privilege, options.password, stopper);
  if ('stopped' in checked) return notStarted(checked.stopped);
  if ('error' in checked) return fail(checked.error.kind, checked.error.message);
  const { privilege, passwordLine } = checked;

  const parser = new RunOutputParser(options.action, { ...(options.steps ? { steps: options.steps } : {}), ...(options.probes ? { probes: options.probes } : {}) });
  let pid: number | undefined;
  let stopping: StopReason | undefined;

  let channelRef: ClientChannel | undefined;
  let startTimer: NodeJS.Timeout | undefined;
  const killGroup = (): void => void exec(client, killCommand(pid!, privilege), passwordLine !== undefined ? { input: passwordLine } : {}).catch(() => undefined);
  const stop = (why: StopReason): void => {
    if (stopping) return;
    stopping = why;
    // Before the remote shell has said its pid, the script has not been sent: closing the channel is enough.
    if (pid !== undefined) killGroup();
    else channelRef?.close();
  };

  return new Promise<RunOutcome>((resolve) => {
    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(startTimer);
      client.removeListener('close', onClientClose);
      resolve(outcome);
    };
    const onClientClose = (): void => {
      settle(fail('connection-lost', 'the connection to the host was lost during the run; reconnect to see its status, and run down if needed'));
    };
    client.once('close', onClientClose);
    const unsubscribe = stopper.onStop(stop);

    client.exec(remoteCommand(options.action, privilege), (err, channel: ClientChannel) => {
      if (err) {
        settle(fail('connection-lost', `cannot start the run: ${err.message}`));
        return;
      }
      channelRef = channel;
      if (stopping) channel.close();
      startTimer = setTimeout(() => {
        if (pid !== undefined) return;
        channel.close();
        settle(
          fail(
            'script',
            `the host's shell did not start the command within ${START_TIMEOUT_MS / 1000} s; a login file such as ~/.bashrc may be reading standard input or waiting for something`,
          ),
        );
      }, START_TIMEOUT_MS);
      let pending = '';
      channel.on('data', (d: Buffer) => {
        let text = d.toString();
        if (pid === undefined) {
          // Wait for the line our wrapper prints first (rc files may print before it).
          pending += text;
          const m = PID_LINE.exec(pending);
          if (!m) return;
          pid = Number(m[1]);
          clearTimeout(startTimer);
          text = pending.slice(0, m.index) + pending.slice(m.index + m[0].length);
          pending = '';
          if (stopping) {
            // Stopped while the command was starting: send no script, and make sure nothing lingers.
            killGroup();
            channel.end();
            return;
          }
          // Only now is our command reading: earlier input could have gone to the login shell's rc files.
          if (passwordLine) channel.write(passwordLine);
          channel.end(options.script);
        }
        for (const e of parser.push('stdout', text)) emit(e);
      });
      channel.stderr.on('data', (d: Buffer) => {
        for (const e of parser.push('stderr', d.toString())) emit(e);
      });
      channel.on('close', (code: number | null | undefined, signal?: string) => {
        // Neither an exit status nor a signal: the transport went away under the channel.
        if (code === undefined && signal === undefined && !stopping) {
          settle(fail('connection-lost', 'the connection to the host was lost during the run; reconnect to see its status, and run down if needed'));
          return;
        }
        const exitCode = code ?? -1;
        code ??= null;
        for (const e of parser.end(exitCode)) emit(e);
        if (stopping === 'timeout') settle(fail('timeout', `the run took longer than ${limitSeconds} s and was stopped`, code));
        else if (stopping === 'cancelled') settle(fail('cancelled', 'the run was cancelled and stopped on the host', code));
        else if (code === 0) settle({ ok: true, exitCode: 0 });
        else settle({ ok: false, exitCode: code, error: { kind: 'script', message: `lab.sh ${options.action} exited with status ${exitCode}` } });
      });
    });
  });
}
