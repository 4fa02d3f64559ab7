/**
 * Deploy from the app: pick a target (a saved SSH host or the local sandbox lab host), run
 * up / verify / status / down, watch the steps and the output stream, cancel, roll back, and
 * read the probe results as a reachability matrix.
 */
import { useEffect, useRef } from 'react';
import { targetKey, type LabState, type SavedTarget, type TargetRef } from '../../shared/ipc/contract.js';
import type { RunAction } from '../../shared/deploy/events.js';
import { offersRollback, reachabilityMatrix, runSummary, runWentWell, type RunView } from '../state/run.js';

export interface RunPanelProps {
  targets: readonly SavedTarget[];
  lab: LabState | null;
  labAvailable: boolean;
  target: TargetRef | null;
  run: RunView | null;
  running: boolean;
  blocked: string | null;
  onTarget(target: TargetRef | null): void;
  onRun(action: RunAction): void;
  onCancel(): void;
  onManageTargets(): void;
  onLab(action: 'up' | 'down'): void;
  labBusy: boolean;
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
                .map((p) => `${p.id}: ${p.kind}${p.kind === 'tcp' ? '' : ''} ${p.address} expected ${p.expect}, observed ${p.observed}${p.latencyMs !== undefined ? ` (${p.latencyMs} ms)` : ''}${p.cause ? ` — ${p.cause}` : ''}`)
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
  const disabled = props.running || props.target === null || props.blocked !== null;
  const progress = run && run.total > 0 ? Math.round((100 * run.done) / run.total) : run?.finished ? 100 : 0;
  return (
    <section className="run-panel" aria-label="Deploy">
      <div className="run-controls">
        <label className="field">
          <span>target</span>
          <select
            data-testid="target"
            value={props.target === null ? '' : targetKey(props.target)}
            onChange={(e) => {
              const v = e.target.value;
              props.onTarget(v === '' ? null : v.startsWith('lab:') ? { kind: 'lab', name: v.slice(4) } : { kind: 'ssh', id: v.slice(4) });
            }}
          >
            <option value="">choose a host…</option>
            {props.labAvailable && <option value="lab:default">local sandbox lab host{props.lab ? ` (${props.lab.state})` : ''}</option>}
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
          <button type="button" disabled={props.labBusy || props.running} data-testid="lab-toggle" onClick={() => props.onLab(props.lab?.state === 'healthy' ? 'down' : 'up')}>
            {props.labBusy ? 'working…' : props.lab?.state === 'healthy' ? 'Stop lab host' : 'Start lab host'}
          </button>
        )}
      </div>
      <div className="run-actions">
        <button type="button" className="primary" disabled={disabled} onClick={() => props.onRun('up')} data-testid="deploy" title="Deploy (Ctrl+Enter)">
          Deploy
        </button>
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
    </section>
  );
}
