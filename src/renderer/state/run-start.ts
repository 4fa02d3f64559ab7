/**
 * What a run button starts, decided before anything is sent to main: which action runs (Deploy
 * asks for a plan first; with errors in the drawing Status and Verify read the lab's record),
 * whether the sandbox lab host is started first, what the run view calls the target, and which
 * run follows a finished one (deploy -> verify, plan -> deploy, verify -> inspect).
 * Pure, tested under Node; App.tsx carries the decisions out.
 */
import type { DesignerAction } from '../../shared/deploy/events.js';
import type { LabState, SavedTarget, TargetRef } from '../../shared/ipc/contract.js';
import { labTargetLabel } from './lab-hosts.js';
import type { AfterRun, PlanChange } from './plan.js';
import type { RunView } from './run.js';

/** The action of the Deploy button (and Ctrl+Enter): a plan first, which shows what a running lab would change; up when the drawing does not compile. */
export function deployAction(compiles: boolean): DesignerAction {
  return compiles ? 'plan' : 'up';
}

/** The action that runs for the one asked: with errors in the drawing, Status and Verify show what the lab's record on the host has (inspect). */
export function effectiveAction(asked: DesignerAction, errorCount: number): DesignerAction {
  return errorCount > 0 && (asked === 'status' || asked === 'verify') ? 'inspect' : asked;
}

/** True when the sandbox lab host must be started before the run: deploying there needs no extra step. */
export function startsLabFirst(target: TargetRef, action: DesignerAction, lab: LabState | undefined): boolean {
  return target.kind === 'lab' && (action === 'up' || action === 'plan') && lab?.state !== 'healthy';
}

/** The target as the run view names it. */
export function runTargetLabel(target: TargetRef, targets: readonly SavedTarget[]): string {
  return target.kind === 'lab' ? labTargetLabel(target.name, undefined, String) : (targets.find((t) => t.id === target.id)?.label ?? target.id);
}

/** A run that starts by itself after another: its action, the output it shows above its own, and its options. */
export interface FollowUp {
  action: DesignerAction;
  earlier: RunView['lines'];
  options: { changes?: PlanChange[]; unseen?: boolean };
}

/**
 * The run that follows a finished one, as afterRun decided (`next`): a good deploy is verified
 * under its own output (with what it changed); a plan with nothing to confirm is deployed under
 * the plan's output; Verify and Status are followed by an unseen inspect. `before` is the run's
 * view before its last event, `done` after it.
 */
export function followUp(next: AfterRun, before: RunView, done: RunView): FollowUp | null {
  if (next.kind !== 'run') return null;
  if (next.action === 'verify') return { action: 'verify', earlier: [...before.lines, { stream: 'info', text: '— verify —' }], options: before.changes ? { changes: before.changes } : {} };
  if (next.action === 'up') return { action: 'up', earlier: [...done.lines, { stream: 'info', text: '— deploy —' }], options: {} };
  return { action: 'inspect', earlier: [], options: { unseen: true } };
}
