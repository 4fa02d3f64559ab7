/**
 * The processes of this machine as the tests look for them (a sandbox lab host shares the
 * machine's process table): live ones only (not zombies), never the test's own process.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface LiveProcess {
  pid: number;
  /** The session id (field 6 of /proc/PID/stat). */
  sid: number;
  /** The command line, its words joined by spaces. */
  cmd: string;
  /** Its network namespace, as /proc/PID/ns/net names it (`net:[INODE]`). */
  netns: string;
}

/** Every live process but this one, read from /proc. */
export function liveProcesses(): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the ")" of the command name: state ppid pgrp session ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z' || rest[0] === 'X') continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), sid: Number(rest[3]), cmd, netns: readlinkSync(`/proc/${entry}/ns/net`) });
    } catch {
      // the process went away while we looked
    }
  }
  return found;
}

/** "PID COMMAND LINE" of the live processes that `match` picks. */
export function processLines(match: (p: LiveProcess) => boolean): string[] {
  return liveProcesses()
    .filter(match)
    .map((p) => `${p.pid} ${p.cmd}`);
}

/**
 * "PID COMMAND LINE" of the live processes whose command line contains `text`; with `netns`, only
 * those in one of these network namespaces (a test's own sandbox: another test beside it may run
 * the same command in its own).
 */
export function processesWith(text: string, netns?: ReadonlySet<string>): string[] {
  return processLines((p) => p.cmd.includes(text) && (netns === undefined || netns.has(p.netns)));
}

/**
 * Prints the network namespaces of a lab host when run inside it (its own, and those in its
 * /run/netns), as /proc/PID/ns/net names them: read it with netnsIdsOf(). Tests pass them to
 * processesWith(), so that they look only at their own lab host's processes.
 */
export const NETNS_IDS_SCRIPT = "readlink /proc/self/ns/net; for f in /run/netns/*; do [ -e \"$f\" ] && stat -L -c 'net:[%i]' \"$f\"; done; true";

/** The namespaces NETNS_IDS_SCRIPT printed. */
export function netnsIdsOf(stdout: string): Set<string> {
  return new Set(stdout.split('\n').filter(Boolean));
}

/** Waits until `test` holds, checking every 50 ms; throws naming `what` after `ms`. */
export async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
