/** The problems list: every validation error and warning; a click selects the element, and a problem with an obvious fix offers it as a button. */
import { formatProblem, type Problem, type ProblemFix } from '../../shared/compiler/problems.js';

export function Problems(props: { problems: readonly Problem[]; onSelect(element: string): void; onFix(command: ProblemFix['command']): void }) {
  const errors = props.problems.filter((p) => p.severity === 'error').length;
  const warnings = props.problems.length - errors;
  return (
    <section className="problems" data-testid="problems" aria-label="Problems">
      <header>
        Problems <span className={errors ? 'count error' : 'count'}>{errors} errors</span> <span className="count">{warnings} warnings</span>
      </header>
      {props.problems.length === 0 ? (
        <p className="ok">No problems: the drawing compiles.</p>
      ) : (
        <ul>
          {props.problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <button type="button" disabled={p.element === null} onClick={() => p.element !== null && props.onSelect(p.element)} data-testid="problem">
                {formatProblem(p)}
              </button>
              {p.fix && (
                <button type="button" className="fix" onClick={() => props.onFix(p.fix!.command)} data-testid="problem-fix">
                  {p.fix.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
