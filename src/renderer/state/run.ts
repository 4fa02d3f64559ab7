/**
 * A run as the designer shows it, folded from its RunEvents: progress, the failing step, the
 * output, the probe results and the reachability matrix. Pure, tested under Node.
 */
import type { DesignerAction, ProbeResult, RunEvent, StepRef } from '../../shared/deploy/events.js';
import type { PlanChange } from './plan.js';
import { LAB_SH_STATUS } from '../../shared/exit-codes.js';

export interface RunView {
  runId: string;
  action: DesignerAction;
  target: string;
  startedAt: number;
  current: StepRef | null;
  done: number;
  total: number;
  lines: { stream: 'stdout' | 'stderr' | 'info'; text: string }[];
  failed: { step: StepRef; command: string; exitStatus: number; stderr: string[] } | null;
  probes: ProbeResult[];
  error: { kind: string; message: string } | null;
  finished: { ok: boolean; exitCode: number; durationMs: number } | null;
  /** A step past preflight started: the host may hold part of the lab. */
  built: boolean;
  /** For a deploy that applies a plan: the parts it changes (the run view lists them). */
  changes?: PlanChange[];
}

/** Lines kept in the output view; older ones are dropped (the count says so). */
export const MAX_LINES = 5000;

/** A new run's view; `earlier` keeps the output of the run it follows (verify right after a deploy). */
export function startRun(runId: string, action: DesignerAction, target: string, at = Date.now(), earlier: RunView['lines'] = []): RunView {
  const lines = earlier.length > MAX_LINES / 2 ? earlier.slice(earlier.length - MAX_LINES / 2) : earlier.slice();
  return { runId, action, target, startedAt: at, current: null, done: 0, total: 0, lines, failed: null, probes: [], error: null, finished: null, built: false };
}

function push(view: RunView, stream: RunView['lines'][number]['stream'], text: string): RunView['lines'] {
  const lines = view.lines.length >= MAX_LINES ? view.lines.slice(view.lines.length - MAX_LINES + 1) : view.lines.slice();
  lines.push({ stream, text });
  return lines;
}

export function runReducer(view: RunView, event: RunEvent): RunView {
  switch (event.type) {
    case 'connected':
      return { ...view, lines: push(view, 'info', `connected to ${event.user}@${event.host} (${event.fingerprint})${event.sudo ? ', using sudo' : ''}`) };
    case 'step-started':
      return { ...view, current: event.step, total: event.step.total, done: event.step.index - 1, built: view.built || event.step.phase !== 'preflight' };
    case 'step-finished':
      return { ...view, current: null, total: event.step.total, done: event.step.last ?? event.step.index };
    case 'output':
      return { ...view, lines: push(view, event.stream, event.line) };
    case 'step-failed':
      return { ...view, failed: { step: event.step, command: event.command, exitStatus: event.exitStatus, stderr: event.stderr }, current: event.step };
    case 'probe':
      return { ...view, probes: [...view.probes.filter((p) => p.id !== event.probe.id), event.probe] };
    case 'error':
      return { ...view, error: { kind: event.kind, message: event.message }, lines: push(view, 'info', `error: ${event.message}`) };
    case 'finished':
      return { ...view, current: null, finished: { ok: event.ok, exitCode: event.exitCode, durationMs: event.durationMs } };
  }
}

export interface Matrix {
  rows: string[];
  cols: string[];
  /** cells[row][col]: the probes from row to col. */
  cells: Map<string, Map<string, ProbeResult[]>>;
}

/** The reachability matrix of the probe results: sources down, destinations across. */
export function reachabilityMatrix(probes: readonly ProbeResult[]): Matrix {
  const rows = [...new Set(probes.map((p) => p.from))].sort();
  const cols = [...new Set(probes.map((p) => p.to))].sort();
  const cells = new Map<string, Map<string, ProbeResult[]>>();
  for (const p of probes) {
    const row = cells.get(p.from) ?? new Map<string, ProbeResult[]>();
    row.set(p.to, [...(row.get(p.to) ?? []), p]);
    cells.set(p.from, row);
  }
  return { rows, cols, cells };
}

/** What lab.sh status's exit code says about the lab. */
const STATUS_OF: Record<number, string> = { [LAB_SH_STATUS.up]: 'up', [LAB_SH_STATUS.partlyUp]: 'partly up', [LAB_SH_STATUS.down]: 'down' };

/** True when a finished run went as asked; a status run that reports "down" went fine too. */
export function runWentWell(view: RunView): boolean {
  if (!view.finished) return false;
  return view.finished.ok || (view.action === 'status' && !view.error && STATUS_OF[view.finished.exitCode] !== undefined);
}

/** Ends a run whose events can no longer come (the designer's server stopped): failed, outcome unknown. */
export function runCutOff(view: RunView, at = Date.now()): RunView {
  if (view.finished) return view;
  const message = 'the designer\'s server stopped during the run, so how far it got on the host is unknown; start "nsd designer" again, open its new link and run Status';
  return { ...view, current: null, error: { kind: 'connection-lost', message }, lines: push(view, 'info', `error: ${message}`), finished: { ok: false, exitCode: -1, durationMs: at - view.startedAt } };
}

/**
 * Whether to offer Destroy as the rollback of a deploy that did not go well: only when it built
 * something. A deploy refused in preflight (a name conflict, a missing tool) changed nothing.
 */
export function offersRollback(view: RunView): boolean {
  return view.action === 'up' && view.finished !== null && !view.finished.ok && view.built;
}

/** A one-line summary: "verify: 12 passed, 1 failed in 3.2 s". */
export function runSummary(view: RunView): string {
  const verb = { up: 'deploy', down: 'destroy', status: 'status', verify: 'verify', plan: 'plan', inspect: 'inspect' }[view.action];
  if (!view.finished) {
    return view.current ? `${verb}: step ${view.current.index}/${view.current.total} ${view.current.title}` : `${verb}: running…`;
  }
  const secs = (view.finished.durationMs / 1000).toFixed(1);
  if (view.action === 'status' && !view.error) {
    const state = STATUS_OF[view.finished.exitCode];
    if (state) return `status: the lab is ${state}`;
  }
  const probes = view.probes.length > 0 ? `, ${view.probes.filter((p) => p.result === 'pass').length} probes passed, ${view.probes.filter((p) => p.result === 'fail').length} failed` : '';
  if (view.finished.ok) return `${verb}: done in ${secs} s${probes}`;
  const mismatched = view.probes.filter((p) => p.result === 'fail').length;
  if (view.action === 'verify' && mismatched > 0 && (!view.error || view.error.kind === 'script')) {
    return `verify: ${mismatched} probe${mismatched === 1 ? '' : 's'} did not match in ${secs} s${probes}`;
  }
  if (view.failed) return `${verb}: failed at step ${view.failed.step.index}/${view.failed.step.total} (${view.failed.step.id})${probes}`;
  return `${verb}: ${view.error ? view.error.message : `exit ${view.finished.exitCode}`}${probes}`;
}
