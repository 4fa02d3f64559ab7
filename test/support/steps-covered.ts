/**
 * The ids of the steps that a run's step events cover: a step of its own, or the steps
 * FIRST..LAST of a table, which lab.sh runs together and announces as one range.
 */
import type { Step } from '../../src/shared/compiler/steps.js';
import type { RunEvent } from '../../src/shared/deploy/events.js';

export function coveredSteps(events: readonly RunEvent[], type: 'step-started' | 'step-finished', steps: readonly Step[]): string[] {
  return events.flatMap((e) => (e.type === type ? steps.slice(e.step.index - 1, e.step.last ?? e.step.index).map((s) => s.id) : []));
}
