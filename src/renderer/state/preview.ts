/**
 * The live preview of a drawing (its `up` and `down` commands as text, and its problems), and
 * the rule by which previews computed away from the page (a Web Worker) reach it: the newest
 * drawing wins. Compiling 1,000 namespaces takes longer than a keystroke, so requests made while
 * one is being compiled are not queued: each replaces the one waiting, and only the newest is
 * sent once the worker is free; an answer is shown only when it answers the newest drawing, so a
 * stale preview never shows. Pure, tested under Node; preview-client.ts carries it out.
 */
import { compilePreview } from '../../shared/compiler/index.js';
import type { Problem } from '../../shared/compiler/problems.js';
import { shellJoin, shellQuote } from '../../shared/compiler/shell.js';
import type { Command, Step } from '../../shared/compiler/steps.js';

/** What the script panel and the problems list show for one drawing. */
export type Preview = { ok: true; up: string; down: string; warnings: readonly Problem[] } | { ok: false; problems: readonly Problem[] };

/** Steps as readable commands, one comment per step (the same argv lists lab.sh runs). */
export function stepsText(steps: readonly Step[]): string {
  const out: string[] = [];
  const command = (c: Command): string => (c.stdoutTo !== undefined ? `${shellJoin(c.argv)} > ${shellQuote(c.stdoutTo)}` : shellJoin(c.argv));
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    out.push(`# ${s.title}`);
    for (let j = 0; j < s.commands.length; j++) out.push(command(s.commands[j]!));
    // `after` holds the ownership tag, which runs also when the step's guard finds its object made.
    for (let j = 0; j < (s.after?.length ?? 0); j++) out.push(command(s.after![j]!));
  }
  return out.join('\n');
}

/** The preview of `doc`: text and problems only, which is cheap to post from a worker (the plan is not). */
export function previewOf(doc: unknown): Preview {
  const c = compilePreview(doc);
  return c.ok ? { ok: true, up: stepsText(c.up), down: stepsText(c.down), warnings: c.warnings } : { ok: false, problems: c.problems };
}

/** A request posted to the worker: the drawing and its number. */
export interface PreviewRequest<T> {
  id: number;
  doc: T;
}

/** The newest-wins state: the last number given, the request being computed, the one waiting. */
export interface LatestWins<T> {
  last: number;
  inFlight: number | null;
  waiting: PreviewRequest<T> | null;
}

export function latestWins<T>(): LatestWins<T> {
  return { last: 0, inFlight: null, waiting: null };
}

/** A new drawing to preview: sent now when the worker is free, else it replaces the waiting one. */
export function requested<T>(state: LatestWins<T>, doc: T): { state: LatestWins<T>; send: PreviewRequest<T> | null } {
  const request = { id: state.last + 1, doc };
  if (state.inFlight === null) return { state: { last: request.id, inFlight: request.id, waiting: null }, send: request };
  return { state: { ...state, last: request.id, waiting: request }, send: null };
}

/** An answer for request `id`: shown only when it answers the newest drawing; the waiting request, if any, goes next. */
export function answered<T>(state: LatestWins<T>, id: number): { state: LatestWins<T>; show: boolean; send: PreviewRequest<T> | null } {
  const show = id === state.last;
  if (id !== state.inFlight) return { state, show: false, send: null };
  const send = state.waiting;
  return { state: { last: state.last, inFlight: send?.id ?? null, waiting: null }, show, send };
}
