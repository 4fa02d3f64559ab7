/**
 * Every exit code nsd returns, and the status codes of lab.sh's `status` that nsd reads: one
 * table, imported by the CLI, the lab command, the bash library, the deploy runs and the
 * designer. `nsd --help` prints EXIT_MEANINGS; test/shared/exit-codes.test.ts holds the
 * README's lists to it.
 */
import type { RunErrorKind } from './deploy/events.js';

/** nsd's exit codes, stable for scripts. */
export const EXIT = {
  ok: 0,
  /** The document has errors (or is not JSON). Warnings alone exit 0. */
  problems: 1,
  /** Bad command line, or a file that cannot be read or written. */
  usage: 2,
  /** A bug in nsd: something threw. */
  internal: 3,
  /** Could not connect, host key not trusted or changed, or login refused. */
  connect: 4,
  /** Logged in, but sudo refused. */
  sudo: 5,
  /** lab.sh failed at a step (the step is named). */
  script: 6,
  /** verify ran and some probe did not match its expectation. */
  probes: 7,
  /** Timed out, cancelled, or the connection dropped. */
  interrupted: 8,
  /** status: the lab (or the lab host) is partly up; `nsd lab up` refuses to build over one. */
  partlyUp: 9,
  /** status: the lab (or the lab host) is down. */
  down: 10,
  /** nsd lab: the lab host could not be built or removed. */
  labFailed: 11,
  /** deploy, destroy: another run of the same lab holds its lock on the host; nothing was changed. */
  busy: 12,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each exit code means, in the words of `nsd --help` and the README, in code order. */
export const EXIT_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [EXIT.ok, 'ok (warnings may have been printed)'],
  [EXIT.problems, 'the document has errors'],
  [EXIT.usage, 'usage error, or a file that cannot be read or written'],
  [EXIT.internal, 'internal error in nsd (please report it)'],
  [EXIT.connect, 'SSH: cannot connect, host key not trusted or changed, or login refused'],
  [EXIT.sudo, 'SSH: sudo refused'],
  [EXIT.script, 'lab.sh failed at a step (the step is named)'],
  [EXIT.probes, 'verify: a probe did not match its expectation'],
  [EXIT.interrupted, 'timed out (connecting included), cancelled, or the connection dropped'],
  [EXIT.partlyUp, 'status: the lab (for nsd lab status, the lab host) is partly up'],
  [EXIT.down, 'status: the lab (for nsd lab status, the lab host) is down'],
  [EXIT.labFailed, 'nsd lab: the lab host could not be built or removed'],
  [EXIT.busy, 'deploy, destroy: another run of the same lab holds it on the host (nothing was changed)'],
];

/** Why a deploy command failed, as its exit code. */
export const EXIT_OF_RUN_ERROR: Record<RunErrorKind, ExitCode> = {
  connect: EXIT.connect,
  'host-key-unknown': EXIT.connect,
  'host-key-changed': EXIT.connect,
  auth: EXIT.connect,
  sudo: EXIT.sudo,
  script: EXIT.script,
  timeout: EXIT.interrupted,
  cancelled: EXIT.interrupted,
  'connection-lost': EXIT.interrupted,
};

/** lab.sh status's own exit codes (the script runs without nsd too, so they are its own). */
export const LAB_SH_STATUS = { up: 0, partlyUp: 3, down: 4 } as const;

/** lab.sh up/down's own exit status when another run of the lab holds its lock (nsd_lock). */
export const LAB_SH_BUSY = 5;

/** nsd status's exit code for each lab.sh status code. */
export const EXIT_OF_LAB_SH_STATUS: Record<number, ExitCode> = {
  [LAB_SH_STATUS.up]: EXIT.ok,
  [LAB_SH_STATUS.partlyUp]: EXIT.partlyUp,
  [LAB_SH_STATUS.down]: EXIT.down,
};
