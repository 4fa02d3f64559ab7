/**
 * The one command line the runner executes on the host. The script itself never appears on
 * a command line: it arrives on standard input (`bash -s`), as does a sudo password.
 */
import type { HostAction } from '../../shared/deploy/events.js';

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

/** The command that runs lab.sh ACTION from standard input, with the privilege asked for. */
export function remoteCommand(action: HostAction, privilege: Privilege): string {
  const run = `env NSD_EVENTS=1 bash -s -- ${action}`;
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
