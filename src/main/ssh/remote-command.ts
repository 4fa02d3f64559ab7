/**
 * The one command line the runner executes on the host. The script itself never appears on
 * a command line: it arrives on standard input (`bash -s`), as does a sudo password.
 */
import type { HostAction } from '../../shared/deploy/events.js';
import { shellQuote } from '../../shared/compiler/shell.js';

/** How the runner becomes root on the host. */
export type Privilege = 'root' | 'sudo' | 'sudo-password';

/**
 * `echo @nsd pid $$` lets the runner stop the whole process group later (cancel, timeout):
 * sshd makes the session's shell a process-group leader, and exec keeps that pid. The line also
 * says that the command itself now reads standard input (login rc files have run).
 */
export function withPidLine(command: string): string {
  return `echo "@nsd pid $$"; exec ${command}`;
}

/** Finds the line withPidLine() prints first (rc files may print before it). */
export const PID_LINE = /^@nsd pid (\d+)\n/m;

/**
 * Reads the script from standard input into a temporary file, then runs it as `bash -s` with that
 * file, already removed, as its standard input: bash reads a pipe one byte at a time (so as not to
 * take input meant for the commands it runs), 1.3 million reads for the script of 1,000
 * namespaces, a second or more; a file it reads in blocks. "$BASH" is the bash running this.
 */
const READ_THEN_RUN = 'f=$(mktemp) || exit; if cat >"$f"; then exec <"$f"; rm -f "$f"; exec "$BASH" -s -- "$@"; fi; rm -f "$f"; exit 1';

/** The command that runs lab.sh ACTION from standard input, with the privilege asked for. */
export function remoteCommand(action: HostAction, privilege: Privilege): string {
  const run = `env NSD_EVENTS=1 bash -c ${shellQuote(READ_THEN_RUN)} bash ${action}`;
  switch (privilege) {
    case 'root':
      return withPidLine(run);
    case 'sudo':
      return withPidLine(`sudo -n ${run}`);
    case 'sudo-password':
      // -k: a cached sudo ticket must not skip the prompt, or bash would read the password as its first line.
      return withPidLine(`sudo -k -S -p '' ${run}`);
  }
}

/**
 * Succeeds when sudo needs no password (NOPASSWD), ignoring any cached ticket. The runner asks
 * this before writing a password: where sudo does not read it, the script's bash would.
 */
export const SUDO_WITHOUT_PASSWORD = 'sudo -k -n true';

/** A check that sudo works before anything runs (so a wrong password changes nothing). */
export function sudoCheckCommand(privilege: Privilege): string | undefined {
  if (privilege === 'sudo') return 'sudo -n true';
  if (privilege === 'sudo-password') return "sudo -k -S -p '' true";
  return undefined;
}

/** Stops the process group of a run (TERM, then KILL after a grace period); with sudo-password, the password goes to its stdin. */
export function killCommand(pid: number, privilege: Privilege): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`refusing to signal process group ${pid}`);
  // No `--`: dash (Debian's sh) takes it for a pid and signals nothing.
  const kill = `kill -TERM -${pid} 2>/dev/null; sleep 1; kill -KILL -${pid} 2>/dev/null; true`;
  if (privilege === 'root') return `sh -c '${kill}'`;
  return `${privilege === 'sudo' ? 'sudo -n' : "sudo -k -S -p ''"} sh -c '${kill}'`;
}

/** The pid line as it arrives through a PTY (which turns "\n" into "\r\n"), or without one. */
export const LIVE_PID_LINE = /@nsd pid (\d+)\r?\n/;

/** What liveCommand() prints on a PTY with 'sudo-password' once sudo has read the password and input may follow. */
export const LIVE_READY_LINE = /@nsd ready\r?\n/;

/** True when liveCommand() prints LIVE_READY_LINE before the command runs. */
export function liveCommandSaysReady(privilege: Privilege, pty: boolean): boolean {
  return pty && privilege === 'sudo-password';
}

/**
 * The command line that runs `rootCommand` (a command line for a root shell, see
 * src/shared/live/remote-commands.ts) with the privilege asked for, behind withPidLine() so a
 * stop can end its process group. With 'sudo-password' the password is the first line of
 * input after the pid line; on a PTY echo is off until sudo has read it, so it never shows.
 */
export function liveCommand(rootCommand: string, privilege: Privilege, pty: boolean): string {
  switch (privilege) {
    case 'root':
      return withPidLine(`sh -c ${shellQuote(rootCommand)}`);
    case 'sudo':
      return withPidLine(`sudo -n sh -c ${shellQuote(rootCommand)}`);
    case 'sudo-password':
      if (!pty) return withPidLine(`sudo -k -S -p '' sh -c ${shellQuote(rootCommand)}`);
      // sudo flushes the terminal's input after reading the password: what was typed before it said ready would be lost.
      return `stty -echo; ${withPidLine(`sudo -k -S -p '' sh -c ${shellQuote(`stty echo; echo '@nsd ready'; ${rootCommand}`)}`)}`;
  }
}
