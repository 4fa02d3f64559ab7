/**
 * The problems list kept as the same array while a recompile finds the same problems: the
 * canvas elements, the properties and the problems panel follow it by identity, so an edit
 * that changes no problem (most do not) does not rebuild and resync all 2,000 elements of a
 * 1,000-namespace drawing a second time when the deferred compile lands.
 */
import type { Problem } from '../../shared/compiler/problems.js';

/** `previous` when `next` lists the same problems in the same order, else `next`. */
export function keepSameProblems(previous: readonly Problem[], next: readonly Problem[]): readonly Problem[] {
  if (previous === next) return previous;
  if (previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (JSON.stringify(previous[i]) !== JSON.stringify(next[i])) return next;
  return previous;
}
