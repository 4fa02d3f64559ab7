/**
 * Deploy from the app: pick a target (a saved SSH host or the local sandbox lab host), run
 * up / verify / status / down, watch the steps and the output stream, cancel, roll back, and
 * read the probe results as a reachability matrix.
 */
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_LAB_NAME, labNameProblem, targetKey, type LabState, type SavedTarget, type TargetRef } from '../../shared/ipc/contract.js';
import { labTargetLabel, occupancyDetails } from '../state/lab-hosts.js';
import type { RunAction } from '../../shared/deploy/events.js';
import { offersRollback, reachabilityMatrix, runSummary, runWentWell, type RunView } from '../state/run.js';
import { planHeadline, type PlanChange, type PlanSummary } from '../state/plan.js';

export interface RunPanelProps {
  targets: readonly SavedTarget[];
  /** Every sandbox lab host of this machine, default first. */
  labs: readonly LabState[];
  labAvailable: boolean;
  target: TargetRef | null;
  run: RunView | null;
  /** A plan that changes the running lab: shown with Apply until applied or another run starts. */
  plan: PlanSummary | null;
  onApply(): void;
  running: boolean;
  blocked: string | null;
  onTarget(target: TargetRef | null): void;
  onRun(action: RunAction): void;
  onCancel(): void;
  onManageTargets(): void;
  onLab(action: 'up' | 'down'): void;
  /** Start (build) a lab host of this name and make it the target. */
  onNewLab(name: string): void;
  /** Read the lab hosts again (what occupies them changes under us). */
  onRefreshLabs(): void;
  labBusy: boolean;
  /** The run view has the whole bottom; onToggleWhole gives it that, or gives the others their room back. */
  whole?: boolean;
  onToggleWhole?(): void;
}

const clock = (iso: string): string => new Date(iso).toLocaleTimeString(undefined, { hourCycle: 'h23' });

/** A name field and a button that start a lab host of one's own, checked with the one lab-name rule. */
function NewLabHost(props: { labs: readonly LabState[]; busy: boolean; onNewLab(name: string): void }) {
  const [name, setName] = useState('');
  const problem = name === '' ? undefined : (labNameProblem(name) ?? (props.labs.some((l) => l.name === name && l.state !== 'absent') ? `lab host "${name}" exists already; pick it in the list` : undefined));
  return (
    <form
      className="new-lab"
      onSubmit={(e) => {
        e.preventDefault();
        if (name === '' || problem !== undefined) return;
        props.onNewLab(name);
        setName('');
      }}
    >
      <label className="field">
        <span>own lab host</span>
        <input data-testid="new-lab-name" value={name} placeholder="a name, e.g. ada-lab" maxLength={40} onChange={(e) => setName(e.target.value)} aria-invalid={problem !== undefined} />
      </label>
      <button type="submit" data-testid="new-lab-start" disabled={props.busy || name === '' || problem !== undefined}>
        Start it
      </button>
      {problem && (
        <span className="problem" data-testid="new-lab-problem">
          {problem}
        </span>
      )}
    </form>
  );
}

function Changes({ changes, testId }: { changes: readonly PlanChange[]; testId: string }) {
  return (
    <ul className="plan-changes" data-testid={testId}>
      {changes.map((c, i) => (
        <li key={i} className={c.sign === '+' ? 'added' : c.sign === '-' ? 'removed' : 'refilled'}>
          {c.sign} {c.text}
          {c.element && c.element !== 'lab' ? `  [${c.element}]` : ''}
        </li>
      ))}
    </ul>
  );
}

function Matrix({ run }: { run: RunView }) {
  const m = reachabilityMatrix(run.probes);
  if (m.rows.length === 0) return null;
  return (
    <table className="matrix" data-testid="matrix">
      <caption>Reachability (rows: from, columns: to)</caption>
      <thead>
        <tr>
          <th />
          {m.cols.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {m.rows.map((r) => (
          <tr key={r}>
            <th scope="row">{r}</th>
            {m.cols.map((c) => {
              const probes = m.cells.get(r)?.get(c) ?? [];
              if (probes.length === 0) return <td key={c} className="none" />;
              const fail = probes.filter((p) => p.result === 'fail');
              const title = probes
                .map((p) => `${p.id}: ${p.kind}${p.kind === 'tcp' ? '' : ''} ${p.address} expected ${p.expect}, observed ${p.observed}${p.latencyMs !== undefined ? ` (${p.latencyMs} ms)` : ''}${p.cause ? ` — ${p.cause}` : ''}${p.note ? ` — ${p.note}` : ''}`)
                .join('\n');
              const isolated = probes.every((p) => p.expect === 'unreachable');
              return (
                <td key={c} className={fail.length ? 'fail' : 'pass'} title={title} data-testid={`cell-${r}-${c}`}>
                  {fail.length ? '✗' : isolated ? '⊘' : '✓'}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunPanel(props: RunPanelProps) {
  const log = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [props.run?.lines.length]);
  const run = props.run;
  // Errors in the drawing block Deploy only: Destroy, Status and Verify act on the lab's record on the host.
  const disabled = props.running || props.target === null;
  const deployDisabled = disabled || props.blocked !== null;
  const progress = run && run.total > 0 ? Math.round((100 * run.done) / run.total) : run?.finished ? 100 : 0;
  const target = props.target;
  const lab = target?.kind === 'lab' ? props.labs.find((l) => l.name === target.name) : undefined;
  // The default lab host is offered even before its state is known; a lab target not (yet) listed too.
  const labNames = [...new Set([...(props.labAvailable ? [DEFAULT_LAB_NAME] : []), ...props.labs.map((l) => l.name), ...(target?.kind === 'lab' ? [target.name] : [])])];
  return (
    <section className="run-panel" aria-label="Deploy" data-testid="run-panel">
      <div className="run-actions">
        <button type="button" className="primary" disabled={deployDisabled} onClick={() => props.onRun('up')} data-testid="deploy" title="Deploy (Ctrl+Enter)">
          Deploy
        </button>
        {props.plan && run?.action === 'plan' && (
          // Beside Deploy, always in view: the plan's list below may need scrolling.
          <button type="button" className="primary" disabled={disabled} onClick={props.onApply} data-testid="apply-plan" title={`Apply the plan below: ${planHeadline(props.plan)}`}>
            Apply these changes
          </button>
        )}
        <button type="button" disabled={disabled} onClick={() => props.onRun('verify')} data-testid="verify">
          Verify
        </button>
        <button type="button" disabled={disabled} onClick={() => props.onRun('status')} data-testid="status">
          Status
        </button>
        <button type="button" disabled={disabled} onClick={() => props.onRun('down')} data-testid="destroy">
          Destroy
        </button>
        <button type="button" disabled={!props.running} onClick={props.onCancel} data-testid="cancel">
          Cancel
        </button>
        {props.onToggleWhole && (
          <button type="button" className="expand" onClick={props.onToggleWhole} aria-pressed={props.whole ?? false} title={props.whole ? 'Give the problems and the script their room back' : 'Give the run view the whole bottom'} data-testid="run-whole">
            {props.whole ? 'Restore' : 'Expand'}
          </button>
        )}
      </div>
      <div className="run-controls">
        <label className="field">
          <span>target</span>
          <select
            data-testid="target"
            value={props.target === null ? '' : targetKey(props.target)}
            onFocus={props.onRefreshLabs}
            onChange={(e) => {
              const v = e.target.value;
              props.onTarget(v === '' ? null : v.startsWith('lab:') ? { kind: 'lab', name: v.slice(4) } : { kind: 'ssh', id: v.slice(4) });
            }}
          >
            <option value="">choose a host…</option>
            {labNames.map((name) => (
              <option key={`lab:${name}`} value={`lab:${name}`}>
                {labTargetLabel(name, props.labs.find((l) => l.name === name), clock)}
              </option>
            ))}
            {props.targets.map((t) => (
              <option key={t.id} value={`ssh:${t.id}`}>
                {t.label} ({t.host})
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={props.onManageTargets}>
          Hosts…
        </button>
        {props.target?.kind === 'lab' && (
          <button type="button" disabled={props.labBusy || props.running} data-testid="lab-toggle" onClick={() => props.onLab(lab?.state === 'healthy' ? 'down' : 'up')}>
            {props.labBusy ? 'working…' : lab?.state === 'healthy' ? 'Stop lab host' : 'Start lab host'}
          </button>
        )}
      </div>
      {props.blocked && (
        <p className="blocked" data-testid="run-blocked">
          {props.blocked}
        </p>
      )}
      {run && (
        <>
          <div className="progress" role="progressbar" aria-valuenow={progress} aria-valuemin={0} aria-valuemax={100}>
            <div style={{ width: `${progress}%` }} className={run.finished ? (runWentWell(run) ? 'ok' : 'bad') : ''} />
          </div>
          <p className={`summary${run.finished ? (runWentWell(run) ? ' ok' : ' bad') : ''}`} data-testid="run-summary">
            {runSummary(run)}
          </p>
          {run.failed && (
            <div className="failed-step" data-testid="failed-step">
              <strong>
                Step {run.failed.step.index}/{run.failed.step.total} failed: {run.failed.step.title}
              </strong>
              {run.failed.step.element && <span> (element {run.failed.step.element})</span>}
              <code>{run.failed.command}</code>
              {run.failed.stderr.length > 0 && <pre>{run.failed.stderr.join('\n')}</pre>}
            </div>
          )}
          {offersRollback(run) && (
            <p className="rollback" data-testid="rollback">
              Roll back with <button type="button" onClick={() => props.onRun('down')}>Destroy</button>, or leave the state for inspection.
            </p>
          )}
          {props.plan && run.action === 'plan' && (
            <div className="plan" data-testid="plan">
              <strong>The lab runs; deploying this drawing changes it: {planHeadline(props.plan)}. Apply these changes (beside Deploy) to deploy them.</strong>
              <Changes changes={props.plan.changes} testId="plan-changes" />
            </div>
          )}
          {run.changes && run.changes.length > 0 && (
            <div className="plan" data-testid="changed">
              <strong>{run.action === 'up' && !run.finished?.ok ? 'Changing' : 'Changed'} by the last deploy:</strong>
              <Changes changes={run.changes} testId="changed-list" />
            </div>
          )}
          <Matrix run={run} />
          <pre className="log" ref={log} data-testid="run-log">
            {run.lines.map((l, i) => (
              <span key={i} className={l.stream}>
                {l.text}
                {'\n'}
              </span>
            ))}
          </pre>
        </>
      )}
      {/* Below the run's outcome: what occupies the lab host, and a lab host of one's own. */}
      {lab && occupancyDetails(lab, clock).length > 0 && (
        <p className="lab-occupancy" data-testid="lab-occupancy">
          {occupancyDetails(lab, clock).map((line, i) => (
            <span key={i}>
              {line}
              <br />
            </span>
          ))}
        </p>
      )}
      {props.labAvailable && <NewLabHost labs={props.labs} busy={props.labBusy || props.running} onNewLab={props.onNewLab} />}
    </section>
  );
}
