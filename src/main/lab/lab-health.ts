/**
 * Reading a sandbox lab's processes and deciding what they add up to. Pure: the caller reads
 * /proc and the socket, these functions interpret what was read.
 */

/** The fields of /proc/PID/stat a lab check needs. */
export interface ProcStat {
  /** R, S, D, Z, X, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields start after the last ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(' ');
  const [state, ppid, pgrp, session] = fields;
  if (state === undefined || session === undefined) return undefined;
  return { state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}

/** A process is alive when it exists and is neither a zombie nor dead. */
export function isLiveState(state: string | undefined): boolean {
  return state !== undefined && state !== 'Z' && state !== 'X' && state !== 'x';
}

/** The pids of a process in each nested pid namespace, outermost first (the NSpid line of /proc/PID/status). */
export function parseNsPids(statusText: string): number[] {
  const line = /^NSpid:\s*(.*)$/m.exec(statusText);
  if (!line?.[1]) return [];
  return line[1]
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** A pid file's pid, or undefined when it holds anything else. */
export function parsePidFile(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^[1-9]\d{0,9}$/.test(t) ? Number(t) : undefined;
}

/** What was found for one of the lab's processes. */
export interface ProcessProbe {
  /** The pid recorded in the state directory (outer pid), if any. */
  pid?: number;
  /** Alive and really ours (its command line matches what the lab started). */
  alive: boolean;
}

/** Everything `status` looks at. */
export interface LabProbe {
  /** The state directory exists. */
  exists: boolean;
  /** lab.json exists and is valid. */
  infoValid: boolean;
  holder: ProcessProbe;
  labHost: ProcessProbe;
  sshd: ProcessProbe;
  forwarder: ProcessProbe;
  /** The first line read from the socket, if any (an SSH banner when all is well). */
  banner?: string;
}

export type LabHealthState = 'healthy' | 'partial' | 'down' | 'absent';

export interface LabHealth {
  state: LabHealthState;
  /** One line per thing that is wrong, e.g. "sshd is not running". */
  problems: string[];
}

const PARTS = [
  ['holder', 'the holder (unshare, pid 1 of the lab)'],
  ['labHost', 'the lab host holder'],
  ['sshd', 'sshd'],
  ['forwarder', 'the socket forwarder'],
] as const;

/**
 * healthy: every process is alive, lab.json is valid and the socket answers with an SSH banner.
 * down: the state directory exists but no process of the lab is alive (a crash or a kill).
 * partial: anything in between. absent: there is no state directory.
 */
export function assessLab(probe: LabProbe): LabHealth {
  if (!probe.exists) return { state: 'absent', problems: [] };
  const problems: string[] = [];
  for (const [key, label] of PARTS) if (!probe[key].alive) problems.push(`${label} is not running`);
  if (!probe.infoValid) problems.push('lab.json is missing or invalid');
  const bannerOk = probe.banner?.startsWith('SSH-2.0-') === true;
  if (!bannerOk) problems.push(probe.banner === undefined ? 'the ssh socket does not answer' : `the ssh socket answers ${JSON.stringify(probe.banner.slice(0, 60))}, not an SSH banner`);
  const anyAlive = PARTS.some(([key]) => probe[key].alive);
  if (!anyAlive) return { state: 'down', problems };
  return { state: problems.length === 0 ? 'healthy' : 'partial', problems };
}

/** The status as the CLI prints it. */
export function formatHealth(name: string, dir: string, probe: LabProbe, health: LabHealth): string {
  if (health.state === 'absent') return `Lab "${name}" does not exist (no ${dir}).\n`;
  const mark = (p: ProcessProbe): string => (p.alive ? `running (pid ${p.pid ?? '?'})` : 'not running');
  const headline = {
    healthy: `Lab "${name}" is up.`,
    partial: `Lab "${name}" is partly up: ${health.problems.join('; ')}.`,
    down: `Lab "${name}" is down (its processes are gone); "nsd lab down" removes what is left.`,
  }[health.state];
  return [
    headline,
    `  state dir   ${dir}`,
    `  holder      ${mark(probe.holder)}`,
    `  lab host    ${mark(probe.labHost)}`,
    `  sshd        ${mark(probe.sshd)}`,
    `  forwarder   ${mark(probe.forwarder)}`,
    `  socket      ${probe.banner?.startsWith('SSH-2.0-') ? probe.banner : 'no SSH banner'}`,
    '',
  ].join('\n');
}
