/**
 * The arguments of `nsd lab up|down|status [--name NAME] [--json]`, checked. Pure.
 */
import { DEFAULT_LAB_NAME, labNameProblem } from '../main/lab/lab-info.js';

export type LabAction = 'up' | 'down' | 'status';

export const LAB_ACTIONS: readonly LabAction[] = ['up', 'down', 'status'];

export interface LabArgs {
  action: LabAction;
  name: string;
  json: boolean;
}

/** A command line mistake; the message names the argument. */
export class LabUsageError extends Error {}

/** Checks `lab` positionals (after the word "lab") and its options. Throws LabUsageError. */
export function parseLabArgs(positionals: readonly string[], options: { name?: string | boolean; json?: string | boolean }): LabArgs {
  const [action, ...extra] = positionals;
  if (action === undefined) throw new LabUsageError('"lab" needs an action: up, down or status');
  if (!(LAB_ACTIONS as readonly string[]).includes(action)) throw new LabUsageError(`unknown lab action "${action}"; use up, down or status`);
  if (extra.length > 0) throw new LabUsageError(`"lab ${action}" takes no arguments; unexpected "${extra[0]}"`);
  if (action === 'down' && options.json === true) throw new LabUsageError('"lab down" does not take --json');
  const name = typeof options.name === 'string' ? options.name : DEFAULT_LAB_NAME;
  const problem = labNameProblem(name);
  if (problem !== undefined) throw new LabUsageError(`--name: ${problem}`);
  return { action: action as LabAction, name, json: options.json === true };
}
