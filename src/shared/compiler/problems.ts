/** What the validator reports: one sentence a user can act on, tied to an element and a field. */
export interface Problem {
  severity: 'error' | 'warning';
  /** Id of the node, link, rule or probe the problem belongs to; null for the document itself. */
  element: string | null;
  /** Field path inside the document, e.g. `links[2].a.addresses[0]`. */
  path: string;
  message: string;
}

/** Formats a problem the way compilers do: `file: element.field: message`. */
export function formatProblem(p: Problem, file?: string): string {
  const where = [file, p.element ? `${p.element}${p.path ? ` (${p.path})` : ''}` : p.path || 'document']
    .filter(Boolean)
    .join(': ');
  return `${where}: ${p.severity}: ${p.message}`;
}

/** True when any problem blocks compilation. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
