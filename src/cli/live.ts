/**
 * `nsd exec | shell | capture`: into the running lab over the deploy session's connection
 * (same host-key, login and sudo rules). exec streams a command's output and exits with its
 * status; shell is an interactive bash on a PTY in a node's namespace; capture runs tcpdump on
 * a link end, as summaries or a pcap file written atomically. A stop (Ctrl-C) ends the remote
 * process group, so nothing is left running on the host.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { openSession } from '../main/deploy/deploy-session.js';
import { checkPrivilege } from '../main/ssh/runner.js';
import { startRemoteProcess, statusOf, type PtySize, type RemoteExit, type RemoteProcess } from '../main/ssh/remote-process.js';
import { EXIT, EXIT_OF_RUN_ERROR } from '../shared/exit-codes.js';
import { captureCommand, captureEnd, execCommand, LiveTargetError, nodeTarget, shellCommand, type CompiledLab } from '../shared/live/remote-commands.js';
import { confirmByFlag, prepareSession, type DeployIo, type SessionArgs } from './deploy.js';

/** A local terminal, when standard input is one (the shell then puts it in raw mode). */
export interface LocalTerminal {
  size(): PtySize;
  setRawMode(raw: boolean): void;
  /** Calls `listener` when the terminal is resized; returns the unsubscribe. */
  onResize(listener: () => void): () => void;
}

export interface LiveIo extends DeployIo {
  /** Standard input (keystrokes for shell, input for exec); none: the remote command gets end of input. */
  stdin?: NodeJS.ReadableStream;
  /** Present when standard input is a terminal. */
  localTerminal?: LocalTerminal;
}

export type LiveArgs = SessionArgs & {
  acceptNew: boolean;
  timeoutSeconds?: number;
  /** Ctrl-C: ends the remote process group. */
  signal?: AbortSignal;
} & (
    | { command: 'exec'; node: string; argv: string[] }
    | { command: 'shell'; node: string }
    | { command: 'capture'; link: string; count?: number; output?: string; filter: string[] }
  );

/** Runs exec, shell or capture; resolves to the exit code (the remote command's status when it ran). */
export async function runLiveCommand(args: LiveArgs, io: LiveIo): Promise<number> {
  const prepared = await prepareSession(args, io);
  if (typeof prepared === 'number') return prepared;
  let command: string;
  try {
    command = remoteCommandFor(args, prepared.compiled);
  } catch (e) {
    if (!(e instanceof LiveTargetError)) throw e;
    io.stderr(`nsd: ${e.message}\n`);
    return EXIT.usage;
  }

  const opened = await openSession(
    {
      target: prepared.target,
      secrets: prepared.secrets,
      confirmHostKey: confirmByFlag(args.acceptNew, io),
      ...(args.timeoutSeconds !== undefined ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
    },
    prepared.env,
    (line) => io.stderr(`nsd: ${line}\n`),
  );
  if (!opened.ok) {
    io.stderr(`nsd: ${opened.error.message}\n`);
    return EXIT_OF_RUN_ERROR[opened.error.kind];
  }
  const { client } = opened.session.connection;
  try {
    const checked = await checkPrivilege(client, opened.session.privilege, prepared.secrets.sudoPassword);
    if ('stopped' in checked) return EXIT.interrupted;
    if ('error' in checked) {
      io.stderr(`nsd: ${checked.error.message}\n`);
      return EXIT_OF_RUN_ERROR[checked.error.kind];
    }
    const base = { command, privilege: checked.privilege, ...(checked.passwordLine !== undefined ? { passwordLine: checked.passwordLine } : {}) };
    switch (args.command) {
      case 'exec':
        return await runExec(client, base, io, args.signal);
      case 'shell':
        return await runShell(client, base, io);
      case 'capture':
        return await runCapture(client, base, io, args.output, args.signal);
    }
  } finally {
    client.end();
  }
}

function remoteCommandFor(args: LiveArgs, lab: CompiledLab): string {
  switch (args.command) {
    case 'exec':
      return execCommand(nodeTarget(lab, args.node), args.argv);
    case 'shell':
      return shellCommand(nodeTarget(lab, args.node));
    case 'capture':
      return captureCommand(captureEnd(lab, args.link), { pcap: args.output !== undefined, filter: args.filter, ...(args.count !== undefined ? { count: args.count } : {}) });
  }
}

type Base = Pick<Parameters<typeof startRemoteProcess>[1], 'command' | 'privilege' | 'passwordLine'>;
type Client = Parameters<typeof startRemoteProcess>[0];

/** Text from a byte stream, never splitting a UTF-8 character between two chunks. */
function textSink(write: (text: string) => void): (data: Buffer) => void {
  const decoder = new StringDecoder('utf8');
  return (data) => {
    const text = decoder.write(data);
    if (text) write(text);
  };
}

/** The exit code for a remote process that ended: its status, or interrupted when the connection went away. */
function exitFor(exit: RemoteExit, io: Pick<LiveIo, 'stderr'>): number {
  if (exit.lost) {
    io.stderr('nsd: the connection to the host was lost; the command may still be running there\n');
    return EXIT.interrupted;
  }
  return statusOf(exit);
}

/** Stops the remote process when `signal` fires; returns the unsubscribe. */
function stopOn(signal: AbortSignal | undefined, proc: RemoteProcess, then: () => void = () => undefined): () => void {
  if (!signal) return () => undefined;
  const onAbort = (): void => {
    then();
    void proc.stop();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

async function runExec(client: Client, base: Base, io: LiveIo, signal: AbortSignal | undefined): Promise<number> {
  const proc = await startRemoteProcess(client, { ...base, onStdout: textSink(io.stdout), onStderr: textSink(io.stderr) });
  let interrupted = false;
  const unsubscribe = stopOn(signal, proc, () => (interrupted = true));
  const unpipe = pipeInput(io, proc, true);
  try {
    const exit = await proc.exited;
    return interrupted ? 130 : exitFor(exit, io);
  } finally {
    unsubscribe();
    unpipe();
  }
}

/** Forwards standard input to the process; without any (or at its end, when `endWithInput`) the remote side gets end of input. */
function pipeInput(io: LiveIo, proc: RemoteProcess, endWithInput: boolean): () => void {
  const stdin = io.stdin;
  if (!stdin) {
    proc.end();
    return () => undefined;
  }
  const onData = (d: Buffer | string): void => proc.write(d);
  const onEnd = (): void => (endWithInput ? proc.end() : undefined);
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  };
}

async function runShell(client: Client, base: Base, io: LiveIo): Promise<number> {
  const term = io.localTerminal;
  const size = term?.size() ?? { cols: 80, rows: 24 };
  const proc = await startRemoteProcess(client, {
    ...base,
    pty: { ...size, ...(io.env.TERM ? { term: io.env.TERM } : {}) },
    onStdout: textSink(io.stdout),
    onStderr: textSink(io.stderr),
  });
  term?.setRawMode(true);
  const unresize = term?.onResize(() => proc.resize(term.size())) ?? (() => undefined);
  // On a PTY, end of input would hang up the shell before it has read what came before: "exit" ends it.
  const unpipe = pipeInput(io, proc, false);
  try {
    return exitFor(await proc.exited, io);
  } finally {
    unresize();
    unpipe();
    term?.setRawMode(false);
  }
}

async function runCapture(client: Client, base: Base, io: LiveIo, output: string | undefined, signal: AbortSignal | undefined): Promise<number> {
  if (output === undefined) {
    const proc = await startRemoteProcess(client, { ...base, onStdout: textSink(io.stdout), onStderr: textSink(io.stderr) });
    proc.end();
    let stopped = false;
    const unsubscribe = stopOn(signal, proc, () => (stopped = true));
    try {
      const exit = await proc.exited;
      return stopped && !exit.lost ? EXIT.ok : exitFor(exit, io);
    } finally {
      unsubscribe();
    }
  }
  // Written beside its final name, then renamed: a reader never sees half a file under that name.
  const temp = join(dirname(output), `.${basename(output)}.${process.pid}.part`);
  const file = createWriteStream(temp, { mode: 0o644 });
  const opened = new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    io.stderr(`nsd: cannot write ${output}: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  let stopped = false;
  let proc: RemoteProcess;
  try {
    proc = await startRemoteProcess(client, { ...base, onStdout: (d) => void file.write(d), onStderr: textSink(io.stderr) });
  } catch (e) {
    file.destroy();
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  proc.end();
  const unsubscribe = stopOn(signal, proc, () => (stopped = true));
  let exit: RemoteExit;
  try {
    exit = await proc.exited;
  } finally {
    unsubscribe();
  }
  await new Promise<void>((resolve) => file.end(resolve));
  const code = stopped && !exit.lost ? EXIT.ok : exitFor(exit, io);
  if (code !== EXIT.ok && !exit.lost) {
    await unlink(temp).catch(() => undefined);
    return code;
  }
  await rename(temp, output);
  return code;
}
