/**
 * The compiler's front door, one stage after the other: validate -> plan -> probes (what verify
 * checks) -> steps -> render.
 */
import type { TopologyDocument } from '../model/topology.js';
import { plan, type Plan } from './plan.js';
import { planProbes, type PlannedProbe } from './probes.js';
import type { Problem } from './problems.js';
import { renderScript } from './render-bash.js';
import { downSteps, upSteps, type Step } from './steps.js';
import { validate, type ValidationResult } from './validate/index.js';

export type CompileResult =
  | { ok: true; doc: TopologyDocument; plan: Plan; probes: PlannedProbe[]; up: Step[]; down: Step[]; script: string; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** Validates `input` (parsed JSON) and, when it has no errors, plans it and renders `lab.sh`. */
export function compile(input: unknown, options: { source?: string } = {}): CompileResult {
  return compileValidated(validate(input), options);
}

/** Compiles the result of validate() or validateText(), so a caller that validated already does not validate twice. */
export function compileValidated(v: ValidationResult, options: { source?: string } = {}): CompileResult {
  if (!v.ok) return { ok: false, problems: v.problems };
  const p = plan(v.doc, v.resolved);
  const probes = planProbes(p, v.resolved);
  const down = downSteps();
  // The script renders up's steps as they are made and keeps none (see eachUpStep); the list is
  // made when a caller first asks for it (the runner's progress, the plain export).
  let up: Step[] | undefined;
  return {
    ok: true,
    doc: v.doc,
    plan: p,
    probes,
    get up() {
      return (up ??= upSteps(p));
    },
    down,
    script: renderScript(p, probes, { ...options, down }),
    warnings: v.warnings,
  };
}

export type PreviewResult =
  | { ok: true; doc: TopologyDocument; plan: Plan; up: Step[]; down: Step[]; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/**
 * What the designer's live preview needs after each edit: the problems, or the up and down
 * steps. It skips the probe planning stage and the bash rendering (compile() does both, for lab.sh).
 */
export function compilePreview(input: unknown): PreviewResult {
  const v = validate(input);
  if (!v.ok) return { ok: false, problems: v.problems };
  const p = plan(v.doc, v.resolved);
  return { ok: true, doc: v.doc, plan: p, up: upSteps(p), down: downSteps(), warnings: v.warnings };
}

export { plan, type Plan } from './plan.js';
export { planProbes, type PlannedProbe } from './probes.js';
export { renderScript } from './render-bash.js';
export { upSteps, downSteps, PHASES, type Step, type Command, type Phase } from './steps.js';
export { formatProblem, hasErrors, type Problem } from './problems.js';
