/** What the validator reports: one sentence a user can act on, tied to an element and a field. */
export interface Problem {
  severity: 'error' | 'warning';
  /** Id of the node, link, rule or probe the problem belongs to; null for the document itself. */
  element: string | null;
  /** Field path inside the document, e.g. `links[2].a.addresses[0]`. */
  path: string;
  message: string;
  /** The obvious fix, when there is one: a button label and the editor command that applies it. */
  fix?: ProblemFix;
}

/** A fix as data: an editor command of src/shared/document (an updateNode patch), so the designer can offer it as a button. */
export interface ProblemFix {
  label: string;
  command: { type: 'updateNode'; id: string; patch: Record<string, unknown> };
}

/** The name server the validator proposes for a namespace that reaches the outside without one. */
export { SUGGESTED_DNS } from '../model/topology.js';

const ELEMENT_PATH = /^(?:nodes|links|probes|notes|nat\.masquerade|nat\.portForwards)\[\d+\]\.?/;

/** The field inside its element: `a.addresses[0]` for `links[2].a.addresses[0]`. */
export function fieldOf(p: Problem): string {
  return p.element === null ? p.path : p.path.replace(ELEMENT_PATH, '');
}

/** Formats a problem the way compilers do: `file: element.field: severity: message`. */
export function formatProblem(p: Problem, file?: string): string {
  const field = fieldOf(p);
  const where = p.element === null ? p.path || 'document' : field ? `${p.element}.${field}` : p.element;
  return `${file ? `${file}: ` : ''}${where}: ${p.severity}: ${p.message}`;
}

/** True when any problem blocks compilation. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
