/**
 * The compiler's front door: validate -> plan -> steps -> render.
 * (Being written; the signatures below are the contract the CLI, tests and runner use.)
 */
import type { TopologyDocument } from '../model/topology.js';
import type { Problem } from './problems.js';

export type CompileResult =
  | { ok: true; doc: TopologyDocument; script: string; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** Validates `input` (parsed JSON) and, when it has no errors, renders the lab script. */
export function compile(_input: unknown): CompileResult {
  throw new Error('compile: not implemented yet');
}
