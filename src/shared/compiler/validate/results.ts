/**
 * The validator's result: problems sorted (errors first, then by path) and capped.
 */
import type { Resolved } from '../../model/resolve.js';
import type { TopologyDocument } from '../../model/topology.js';
import type { Problem } from '../problems.js';

/** Either the checked document with its resolved view and warnings, or everything wrong with it. */
export type ValidationResult =
  | { ok: true; doc: TopologyDocument; resolved: Resolved; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** Problems listed at most; the rest are summed up in one final problem. */
export const MAX_PROBLEMS = 1000;

/** The failed result: the problems sorted, at most MAX_PROBLEMS of them. */
export function failure(problems: Problem[]): ValidationResult {
  const sorted = sortProblems(problems);
  if (sorted.length <= MAX_PROBLEMS) return { ok: false, problems: sorted };
  const rest = sorted.length - MAX_PROBLEMS;
  return { ok: false, problems: [...sorted.slice(0, MAX_PROBLEMS), documentProblem('', `${rest} more problems are not listed; fix the ones above first`)] };
}

/** An error about the document as a whole (no element). */
export function documentProblem(path: string, message: string): Problem {
  return { severity: 'error', element: null, path, message };
}

/** Errors first, then by path with indices compared as numbers (links[2] before links[10]). */
export function sortProblems(problems: Problem[]): Problem[] {
  const parts = (p: string) => p.match(/\d+|\D+/g) ?? [];
  const byPath = (x: string, y: string): number => {
    const a = parts(x);
    const b = parts(y);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const [s, t] = [a[i]!, b[i]!];
      if (s === t) continue;
      const numeric = /^\d/.test(s) && /^\d/.test(t);
      return numeric ? Number(s) - Number(t) : s < t ? -1 : 1;
    }
    return a.length - b.length;
  };
  const rank = (p: Problem) => (p.severity === 'error' ? 0 : 1);
  return [...problems].sort((x, y) => rank(x) - rank(y) || byPath(x.path, y.path));
}
