/**
 * One live process on the lab host over an exec channel of a connected session: a command, an
 * interactive shell on a PTY, or a capture. Its output is streamed as it comes; stop() ends its
 * whole process group on the host (so nothing is left running), not only the channel.
 */
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { execOnHost } from './runner.js';
import { killCommand, liveCommand, liveCommandSaysReady, LIVE_PID_LINE, LIVE_READY_LINE, type Privilege } from './remote-command.js';

/** The terminal a PTY is opened with. */
export interface PtySize {
  cols: number;
  rows: number;
}

export interface RemoteProcessOptions {
  /** A command line for a root shell (src/shared/live/remote-commands.ts). */
  command: string;
  /** As checkPrivilege() settled it. */
  privilege: Privilege;
  /** The sudo password line, for 'sudo-password'. */
  passwordLine?: string;
  /** Open a PTY of this size (an interactive shell); without it stdout and stderr stay apart. */
  pty?: PtySize & { term?: string };
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
}

/** How the process ended: its exit status, or the signal that ended it, or (lost) the connection went away first. */
export interface RemoteExit {
  code: number | null;
  signal?: string;
  lost: boolean;
}

export interface RemoteProcess {
  /** Writes to its standard input (keystrokes on a PTY). */
  write(data: string | Buffer): void;
  /** Closes its standard input. */
  end(): void;
  /** Follows the terminal's new size (PTY only). */
  resize(size: PtySize): void;
  /** Ends its process group on the host (TERM, then KILL), then waits for the channel to close. */
  stop(): Promise<RemoteExit>;
  readonly exited: Promise<RemoteExit>;
}

/** The shell's exit status for a process ended by `signal` (128 + its number), as bash reports it. */
export function statusOf(exit: RemoteExit): number {
  if (exit.code !== null) return exit.code;
  const n = exit.signal ? (constants.signals as Record<string, number | undefined>)[`SIG${exit.signal}`] : undefined;
  return n !== undefined ? 128 + n : 255;
}

/** Starts the process; resolves once the host said its pid (its input is then read by it, not by rc files). */
export function startRemoteProcess(client: Client, options: RemoteProcessOptions): Promise<RemoteProcess> {
  const pty = options.pty;
  return new Promise((resolveStart, rejectStart) => {
    const onOpen = (err: Error | undefined, channel: ClientChannel): void => {
      if (err) return rejectStart(err);
      let pid: number | undefined;
      let pending = Buffer.alloc(0);
      let exit: RemoteExit | undefined;
      let resolveExit!: (e: RemoteExit) => void;
      const exited = new Promise<RemoteExit>((r) => (resolveExit = r));
      const onClientClose = (): void => finish({ code: null, lost: true });
      const finish = (e: RemoteExit): void => {
        if (exit) return;
        exit = e;
        client.removeListener('close', onClientClose);
        if (!started) rejectStart(new Error(e.lost ? 'the connection to the host was lost before the command started' : `the command ended before it started (exit ${statusOf(e)})`));
        resolveExit(e);
      };
      client.once('close', onClientClose);
      channel.on('close', (code: number | null | undefined, signal?: string) => {
        if (code === undefined && signal === undefined) finish({ code: null, lost: true });
        else finish({ code: code ?? null, ...(signal ? { signal } : {}), lost: false });
      });
      channel.stderr.on('data', (d: Buffer) => options.onStderr(d));
      const waitsForReady = liveCommandSaysReady(options.privilege, pty !== undefined);
      let started = false;
      channel.on('data', (d: Buffer) => {
        if (started) return options.onStdout(d);
        // Login rc files may print before our line; what they print is dropped with it.
        pending = Buffer.concat([pending, d]);
        if (pid === undefined) {
          const m = LIVE_PID_LINE.exec(pending.toString('latin1'));
          if (!m) return;
          pid = Number(m[1]);
          pending = pending.subarray(m.index + m[0].length);
          if (options.passwordLine !== undefined) channel.write(options.passwordLine);
        }
        let rest = pending;
        if (waitsForReady) {
          const r = LIVE_READY_LINE.exec(pending.toString('latin1'));
          if (!r) return;
          rest = pending.subarray(r.index + r[0].length);
        }
        pending = Buffer.alloc(0);
        started = true;
        let stopping: Promise<RemoteExit> | undefined;
        resolveStart({
          write: (data) => void (exit ? undefined : channel.write(data)),
          end: () => void (exit ? undefined : channel.end()),
          resize: ({ cols, rows }) => void (pty && !exit ? channel.setWindow(rows, cols, 0, 0) : undefined),
          stop: () => {
            if (exit) return exited;
            stopping ??= (async () => {
              await execOnHost(client, killCommand(pid!, options.privilege), options.passwordLine !== undefined ? { input: options.passwordLine } : {}).catch(() => undefined);
              channel.close();
              return exited;
            })();
            return stopping;
          },
          exited,
        });
        if (rest.length > 0) options.onStdout(rest);
      });
    };
    const command = liveCommand(options.command, options.privilege, pty !== undefined);
    if (pty) client.exec(command, { pty: { cols: pty.cols, rows: pty.rows, term: pty.term ?? 'xterm-256color' } }, onOpen);
    else client.exec(command, onOpen);
  });
}
