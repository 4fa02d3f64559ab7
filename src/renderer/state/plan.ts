/**
 * Deploy on a running lab: what `lab.sh plan` printed, read back into changes (+ added,
 * - removed, ~ chain refilled, qdisc changed or veth pair re-plugged, each with its element), and whether the designer asks before
 * applying them. Pure, tested under Node.
 */

export interface PlanChange {
  sign: '+' | '-' | '~';
  /** The record line (or, for ~, the chain) that changes. */
  text: string;
  /** The drawing's element it belongs to; null for a chain, `lab` for the lab as a whole. */
  element: string | null;
}

export interface PlanSummary {
  changes: PlanChange[];
  added: number;
  removed: number;
  refilled: number;
  /** Impairments (netem qdiscs) that change in place (absent: none). */
  changed?: number;
  /** Veth pairs that stay and are plugged into other bridges (absent: none). */
  replugged?: number;
}

const SUMMARY = /^plan for lab \S+: (\d+) to add, (\d+) to remove, (\d+) chain\(s\) to refill/;
const CHANGE = /^([+~-]) (.*?) {2}\[([^\]]*)\]$/;
const CHANGED = /, (\d+) qdisc\(s\) to change/;
const REPLUGGED = /, (\d+) veth pair\(s\) to re-plug/;
const REFILL = /^~ (\S+ \S+) chain (\S+): /;

/** The changes lab.sh plan printed (its standard output), or null when it printed no summary (it failed). */
export function parsePlan(lines: readonly string[]): PlanSummary | null {
  const changes: PlanChange[] = [];
  let counts: RegExpExecArray | null = null;
  let changed = 0;
  let replugged = 0;
  for (const line of lines) {
    const m = CHANGE.exec(line);
    if (m) {
      changes.push({ sign: m[1] as '+' | '-' | '~', text: m[2]!, element: m[3]! });
      continue;
    }
    const r = REFILL.exec(line);
    if (r) {
      changes.push({ sign: '~', text: `${r[1]} chain ${r[2]}`, element: null });
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (summary) {
      counts = summary;
      changed = Number(CHANGED.exec(line)?.[1] ?? 0);
      replugged = Number(REPLUGGED.exec(line)?.[1] ?? 0);
    }
  }
  if (!counts) return null;
  return { changes, added: Number(counts[1]), removed: Number(counts[2]), refilled: Number(counts[3]), changed, replugged };
}

/**
 * Whether Deploy asks first: only on a running lab that the drawing changes. A lab that is not
 * there yet (every part of the drawing to add, nothing to remove) and one that matches the
 * drawing are deployed at once. `parts` is how many record lines the drawing makes.
 */
export function planNeedsConfirmation(plan: PlanSummary, parts: number): boolean {
  if (plan.removed > 0 || plan.refilled > 0 || (plan.changed ?? 0) > 0 || (plan.replugged ?? 0) > 0) return true;
  return plan.added > 0 && plan.added < parts;
}

/** One line for the run view: "3 to add, 2 to remove, 1 chain to refill". */
export function planHeadline(plan: PlanSummary): string {
  const changed = (plan.changed ?? 0) > 0 ? `, ${plan.changed} impairment${plan.changed === 1 ? '' : 's'} to change` : '';
  const replugged = (plan.replugged ?? 0) > 0 ? `, ${plan.replugged} cable${plan.replugged === 1 ? '' : 's'} to re-plug` : '';
  return `${plan.added} to add, ${plan.removed} to remove, ${plan.refilled} chain${plan.refilled === 1 ? '' : 's'} to refill${changed}${replugged}`;
}

/** What the designer does when a run has finished: nothing, another run, or ask before applying a plan. */
export type AfterRun = { kind: 'none' } | { kind: 'run'; action: 'up' | 'verify' | 'inspect' } | { kind: 'confirm'; plan: PlanSummary };

/**
 * The run that follows a finished one: a good deploy is verified; a plan is applied at once when
 * it needs no confirmation (see planNeedsConfirmation), else shown; Verify and Status are followed
 * by inspect, whose drift the canvas paints, when they reached the lab (lab.sh ran, whatever it
 * said): after a refused host key, a failed login or a cut connection an inspect could only fail
 * the same way, or ask the same question again. `parts` is how many record lines the drawing makes.
 */
export function afterRun(
  view: { action: string; finished: { ok: boolean } | null; error?: { kind: string } | null; lines: readonly { stream: string; text: string }[] },
  parts: number,
): AfterRun {
  if (!view.finished) return { kind: 'none' };
  if (view.action === 'up') return view.finished.ok ? { kind: 'run', action: 'verify' } : { kind: 'none' };
  const reachedLab = !view.error || view.error.kind === 'script';
  if (view.action === 'verify' || view.action === 'status') return reachedLab ? { kind: 'run', action: 'inspect' } : { kind: 'none' };
  if (view.action !== 'plan' || !view.finished.ok) return { kind: 'none' };
  const plan = parsePlan(view.lines.filter((l) => l.stream === 'stdout').map((l) => l.text));
  if (!plan) return { kind: 'none' };
  return planNeedsConfirmation(plan, parts) ? { kind: 'confirm', plan } : { kind: 'run', action: 'up' };
}
