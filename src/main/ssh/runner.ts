/**
 * Runs one action of lab.sh on a connected host: the script goes once over one exec channel
 * (`bash -s`), its output comes back as RunEvents. Cancel and the time limit stop the remote
 * process group through a second channel; a dropped connection is reported as such.
 */
import type { Client, ClientChannel } from 'ssh2';
import type { PlannedProbe } from '../../shared/compiler/probes.js';
import type { Step } from '../../shared/compiler/steps.js';
import type { RunAction, RunErrorKind, RunEvent } from '../../shared/deploy/events.js';
import { RunOutputParser } from '../../shared/deploy/output-parser.js';
import { killCommand, remoteCommand, SUDO_WITHOUT_PASSWORD, sudoCheckCommand, type Privilege } from './remote-command.js';

export interface RunOptions {
  action: RunAction;
  /** The exact lab.sh text (compile().script). */
  script: string;
  steps?: readonly Step[];
  probes?: readonly PlannedProbe[];
  privilege: Privilege;
  /** The sudo password for privilege 'sudo-password': written to sudo's stdin, never logged. */
  password?: string;
  /** Stop the run after this long (default 10 minutes). */
  timeoutMs?: number;
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
}

/**
 * Runs a short command. Input is written only after the command itself says it is running:
 * on many hosts the login shell's rc files run first and can swallow early input.
 */
function exec(client: Client, command: string, input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(input === undefined ? command : `echo ${READY}; ${command}`, (err, channel) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let waiting = input !== undefined;
      channel.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (waiting && stdout.includes(`${READY}\n`)) {
          waiting = false;
          stdout = stdout.slice(stdout.indexOf(`${READY}\n`) + READY.length + 1);
          channel.end(input);
        }
      });
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      channel.on('close', (code: number | null | undefined) => resolve({ code, stdout, stderr }));
      if (!waiting) channel.end();
    });
  });
}

const READY = '@nsd-ready';

/** How long the host's login shell may take before our command runs. */
const START_TIMEOUT_MS = 20_000;

/** Runs the action; resolves when the remote command has ended (or was stopped). */
export async function runAction(client: Client, options: RunOptions): Promise<RunOutcome> {
  let settled = false;
  // Nothing is reported after the outcome: a late channel close must not follow a connection-lost.
  const emit = (event: RunEvent): void => {
    if (!settled) options.onEvent(event);
  };
  const fail = (kind: RunErrorKind, message: string, exitCode: number | null = null): RunOutcome => {
    emit({ type: 'error', at: Date.now(), kind, message });
    return { ok: false, exitCode, error: { kind, message } };
  };
  let privilege = options.privilege;
  if (privilege === 'sudo-password') {
    // A NOPASSWD sudo never reads the password: it would reach bash as a command line and be echoed in an error.
    const r = await exec(client, SUDO_WITHOUT_PASSWORD).catch(() => ({ code: null }));
    if (r.code === 0) privilege = 'sudo';
  }
  const passwordLine = privilege === 'sudo-password' ? `${options.password ?? ''}\n` : undefined;

  const check = sudoCheckCommand(privilege);
  if (check) {
    const r = await exec(client, check, passwordLine).catch((e: Error) => ({ code: undefined, stdout: '', stderr: e.message }));
    if (r.code === undefined) return fail('connection-lost', `the connection to the host was lost before the run started (${r.stderr.trim() || 'no exit status'}); nothing ran`);
    if (r.code !== 0) {
      return fail('sudo', `sudo refused on the host (${r.stderr.trim() || `exit ${r.code}`}); use root, a NOPASSWD sudo rule, or the right sudo password`);
    }
  }

  const parser = new RunOutputParser(options.action, { ...(options.steps ? { steps: options.steps } : {}), ...(options.probes ? { probes: options.probes } : {}) });
  let pid: number | undefined;
  let stopping: 'cancelled' | 'timeout' | undefined;

  let channelRef: ClientChannel | undefined;
  const killGroup = (): void => void exec(client, killCommand(pid!, privilege), passwordLine).catch(() => undefined);
  const stop = (why: 'cancelled' | 'timeout'): void => {
    if (stopping) return;
    stopping = why;
    // Before the remote shell has said its pid, the script has not been sent: closing the channel is enough.
    if (pid !== undefined) killGroup();
    else channelRef?.close();
  };

  return new Promise<RunOutcome>((resolve) => {
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs ?? 600_000);
    const onAbort = (): void => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort);
    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      client.removeListener('close', onClientClose);
      resolve(outcome);
    };
    const onClientClose = (): void => {
      settle(fail('connection-lost', 'the connection to the host was lost during the run; reconnect to see its status, and run down if needed'));
    };
    client.once('close', onClientClose);
    if (options.signal?.aborted) {
      settle(fail('cancelled', 'cancelled before it started; nothing ran'));
      return;
    }

    client.exec(remoteCommand(options.action, privilege), (err, channel: ClientChannel) => {
      if (err) {
        settle(fail('connection-lost', `cannot start the run: ${err.message}`));
        return;
      }
      channelRef = channel;
      if (stopping) channel.close();
      const startTimer = setTimeout(() => {
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
          const m = /^@nsd pid (\d+)\n/m.exec(pending);
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
        if (stopping === 'timeout') settle(fail('timeout', `the run took longer than ${(options.timeoutMs ?? 600_000) / 1000} s and was stopped`, code));
        else if (stopping === 'cancelled') settle(fail('cancelled', 'the run was cancelled and stopped on the host', code));
        else if (code === 0) settle({ ok: true, exitCode: 0 });
        else settle({ ok: false, exitCode: code, error: { kind: 'script', message: `lab.sh ${options.action} exited with status ${exitCode}` } });
      });
    });
  });
}
