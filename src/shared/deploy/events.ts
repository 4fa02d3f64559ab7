/**
 * What a run of `lab.sh` on a remote host reports, as structured events: the contract between
 * the SSH runner (src/main/ssh), the CLI and the designer UI. Pure and browser-safe.
 */
import type { Phase } from '../compiler/steps.js';

/** The four things lab.sh does to its own lab. */
export type RunAction = 'up' | 'down' | 'status' | 'verify';

/** What a run of lab.sh on a host can be: one of its RunActions, `plan` (what up would change; changes nothing), `inspect` (the live state as JSON; changes nothing) or `labs` (every lab on the host that has a record). */
export type HostAction = RunAction | 'plan' | 'inspect' | 'labs';

/** What the designer runs: the four actions, `plan` before a deploy on a running lab, and `inspect` after Verify and Status. */
export const DESIGNER_ACTIONS = ['up', 'down', 'status', 'verify', 'plan', 'inspect'] as const;
export type DesignerAction = (typeof DESIGNER_ACTIONS)[number];

/** Why a run could not start or could not finish, for exit codes and UI messages. */
export type RunErrorKind =
  | 'connect' // TCP connect failed or timed out
  | 'host-key-unknown' // not trusted (no consent given)
  | 'host-key-changed' // a known host presented another key: refused
  | 'auth' // every login method was refused
  | 'sudo' // not root and sudo refused (no NOPASSWD, wrong password)
  | 'timeout' // the run exceeded its time limit and was stopped
  | 'cancelled' // the user cancelled the run
  | 'connection-lost' // the connection dropped mid-run
  | 'script'; // lab.sh itself failed (see the step-failed event)

/** One probe of `lab.sh verify`, as observed on the host. */
export interface ProbeResult {
  id: string;
  from: string;
  to: string;
  kind: 'ping' | 'tcp';
  address: string;
  expect: 'reachable' | 'unreachable';
  observed: 'reachable' | 'unreachable' | 'unknown';
  result: 'pass' | 'fail' | 'skip';
  /** Round-trip or connect time in milliseconds, when reachable. */
  latencyMs?: number;
  /** For a failed probe: the likely cause, in words a user can act on. */
  cause?: string;
  /** What lab.sh says about the probe: how an impaired path went ("passed on try 3 of 5; ..."), or why it was skipped. */
  note?: string;
}

export interface StepRef {
  /** 1-based position in the action's step list, as lab.sh counts. */
  index: number;
  /** For steps that run together (one of lab.sh's step tables): the position of the last of them. */
  last?: number;
  total: number;
  /** Stable step id from the compiler (e.g. `links/red-blue`). */
  id: string;
  phase: Phase;
  element: string | null;
  title: string;
}

export type RunEvent =
  | { type: 'connected'; at: number; host: string; user: string; fingerprint: string; sudo: boolean }
  | { type: 'step-started'; at: number; step: StepRef }
  | { type: 'step-finished'; at: number; step: StepRef }
  | { type: 'output'; at: number; stream: 'stdout' | 'stderr'; line: string; step?: StepRef }
  | { type: 'step-failed'; at: number; step: StepRef; command: string; exitStatus: number; stderr: string[] }
  | { type: 'probe'; at: number; probe: ProbeResult }
  | { type: 'finished'; at: number; action: HostAction; ok: boolean; exitCode: number; durationMs: number }
  | { type: 'error'; at: number; kind: RunErrorKind; message: string };
