/**
 * What the status bar says after the things that change it on their own: a run starting and
 * ending, the sandbox lab host starting or stopping, the designer's server going away. Each
 * replaces the previous text, so no "Starting ..." outlives what it announced. Pure, tested under Node.
 */
import type { LabState } from '../../shared/ipc/contract.js';
import { runSummary, runWentWell, type RunView } from './run.js';

export interface StatusText {
  text: string;
  error: boolean;
}

/** The browser entry's server stopped (Ctrl-C on `nsd designer`, a crash): what happened and how to go on. */
export const SERVER_GONE =
  'The designer\'s server has stopped, so this page can no longer open, save or deploy. Start it again with "nsd designer" ' +
  '(npm run designer in a checkout) in the same workspace and open the new link it prints; unsaved changes autosaved before it stopped are offered back there.';

/** While sandbox lab host `name` starts or stops. */
export function labBusyStatus(action: 'up' | 'down', name: string): StatusText {
  return { text: `${action === 'up' ? 'Starting' : 'Stopping'} the sandbox lab host "${name}"…`, error: false };
}

/** After the sandbox lab host was started (`wanted` 'up') or stopped ('down'): its state, and its problems when it is not as asked. */
export function labDoneStatus(lab: LabState, wanted: 'up' | 'down'): StatusText {
  const asked = wanted === 'up' ? lab.state === 'healthy' : lab.state === 'down' || lab.state === 'absent';
  const problems = !asked && lab.problems.length > 0 ? `: ${lab.problems.join('; ')}` : '';
  return { text: `Lab host "${lab.name}": ${lab.state}${problems}`, error: !asked };
}

/** A run as the status bar tells it: what runs where, then its summary. */
export function runStatus(view: RunView): StatusText {
  if (!view.finished) return { text: `${runSummary(view)} (${view.target})`, error: false };
  return { text: runSummary(view), error: !runWentWell(view) };
}
