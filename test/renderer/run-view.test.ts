import { describe, expect, it } from 'vitest';
import type { ProbeResult, RunEvent, StepRef } from '../../src/shared/deploy/events.js';
import { MAX_LINES, offersRollback, runCutOff, reachabilityMatrix, runReducer, runSummary, runWentWell, startRun } from '../../src/renderer/state/run.js';

const step = (index: number, total = 3): StepRef => ({ index, total, id: `links/s${index}`, phase: 'links', element: `l${index}`, title: `step ${index}` });
const probe = (over: Partial<ProbeResult>): ProbeResult => ({
  id: 'p',
  from: 'red',
  to: 'blue',
  kind: 'ping',
  address: '192.168.15.2',
  expect: 'reachable',
  observed: 'reachable',
  result: 'pass',
  ...over,
});
const fold = (events: RunEvent[], action: 'up' | 'down' | 'status' | 'verify' = 'up') => events.reduce(runReducer, startRun('r1', action, 'lab', 0));

describe('run view', () => {
  it('counts steps as they start and finish', () => {
    const view = fold([
      { type: 'step-started', at: 1, step: step(1) },
      { type: 'step-finished', at: 2, step: step(1) },
      { type: 'step-started', at: 3, step: step(2) },
    ]);
    expect(view).toMatchObject({ done: 1, total: 3, current: { index: 2 } });
    expect(runSummary(view)).toBe('deploy: step 2/3 step 2');
  });

  it('counts the steps of a table that ran together as done at once', () => {
    const view = fold([
      { type: 'step-started', at: 1, step: { ...step(2, 10), last: 7 } },
      { type: 'step-finished', at: 2, step: { ...step(2, 10), last: 7 } },
    ]);
    expect(view).toMatchObject({ done: 7, total: 10, current: null });
  });

  it('names the failing step with its command and error when a run fails', () => {
    const view = fold([
      { type: 'step-started', at: 1, step: step(2) },
      { type: 'step-failed', at: 2, step: step(2), command: 'ip link add x', exitStatus: 2, stderr: ['RTNETLINK answers: File exists'] },
      { type: 'finished', at: 3, action: 'up', ok: false, exitCode: 1, durationMs: 2000 },
    ]);
    expect(view.failed).toMatchObject({ command: 'ip link add x', stderr: ['RTNETLINK answers: File exists'] });
    expect(runSummary(view)).toBe('deploy: failed at step 2/3 (links/s2)');
    expect(runWentWell(view)).toBe(false);
  });

  it('offers Destroy as rollback only when a failed deploy built something', () => {
    const preflight: StepRef = { index: 1, total: 3, id: 'preflight', phase: 'preflight', element: null, title: 'check root, tools and name conflicts' };
    const refused = fold([
      { type: 'step-started', at: 1, step: preflight },
      { type: 'step-failed', at: 2, step: preflight, command: 'nsd_preflight up', exitStatus: 1, stderr: ['namespace red already exists'] },
      { type: 'finished', at: 3, action: 'up', ok: false, exitCode: 1, durationMs: 100 },
    ]);
    expect(offersRollback(refused)).toBe(false);
    const halfBuilt = fold([
      { type: 'step-started', at: 1, step: preflight },
      { type: 'step-finished', at: 2, step: preflight },
      { type: 'step-started', at: 3, step: step(2) },
      { type: 'step-failed', at: 4, step: step(2), command: 'ip link add x', exitStatus: 2, stderr: [] },
      { type: 'finished', at: 5, action: 'up', ok: false, exitCode: 1, durationMs: 100 },
    ]);
    expect(offersRollback(halfBuilt)).toBe(true);
    // Cut off mid-run (time limit, lost connection): no failed step, but part of the lab is there.
    const cutOff = fold([
      { type: 'step-started', at: 1, step: step(2) },
      { type: 'error', at: 2, kind: 'timeout', message: 'the run took longer than 1 s and was stopped' },
      { type: 'finished', at: 3, action: 'up', ok: false, exitCode: 143, durationMs: 1000 },
    ]);
    expect(offersRollback(cutOff)).toBe(true);
    // Still running, went well, or not a deploy: nothing to roll back.
    expect(offersRollback(fold([{ type: 'step-started', at: 1, step: step(2) }]))).toBe(false);
    expect(offersRollback(fold([{ type: 'step-started', at: 1, step: step(2) }, { type: 'finished', at: 2, action: 'up', ok: true, exitCode: 0, durationMs: 1 }]))).toBe(false);
    expect(offersRollback(fold([{ type: 'step-started', at: 1, step: step(2) }, { type: 'finished', at: 2, action: 'down', ok: false, exitCode: 1, durationMs: 1 }], 'down'))).toBe(false);
  });

  it('ends a run cut off by the server stopping as failed, saying its outcome is unknown and what to do', () => {
    const running = fold([{ type: 'step-started', at: 1, step: step(2) }]);
    const cut = runCutOff(running, 2500);
    expect(cut.finished).toEqual({ ok: false, exitCode: -1, durationMs: 2500 });
    expect(cut.current).toBeNull();
    expect(runWentWell(cut)).toBe(false);
    expect(runSummary(cut)).toMatch(/^deploy: the designer's server stopped during the run, .* run Status$/);
    expect(cut.lines.at(-1)?.text).toContain("the designer's server stopped");
    // A run that had ended keeps its outcome.
    const done = fold([{ type: 'finished', at: 1, action: 'up', ok: true, exitCode: 0, durationMs: 1 }]);
    expect(runCutOff(done)).toBe(done);
  });

  it('keeps the latest result per probe and summarises passes and failures', () => {
    const view = fold(
      [
        { type: 'probe', at: 1, probe: probe({ id: 'a', result: 'fail', observed: 'unreachable' }) },
        { type: 'probe', at: 2, probe: probe({ id: 'a' }) },
        { type: 'probe', at: 3, probe: probe({ id: 'b', to: 'internet', result: 'fail', observed: 'unreachable', cause: 'missing NAT' }) },
        { type: 'finished', at: 4, action: 'verify', ok: false, exitCode: 1, durationMs: 1500 },
      ],
      'verify',
    );
    expect(view.probes.map((p) => [p.id, p.result])).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
    ]);
    expect(runSummary(view)).toBe('verify: 1 probe did not match in 1.5 s, 1 probes passed, 1 failed');
  });

  it.each([
    [0, 'status: the lab is up', true],
    [3, 'status: the lab is partly up', true],
    [4, 'status: the lab is down', true],
    [1, 'status: exit 1', false],
  ])('reads status exit %i as "%s"', (exitCode, summary, well) => {
    const view = fold([{ type: 'finished', at: 1, action: 'status', ok: exitCode === 0, exitCode, durationMs: 10 }], 'status');
    expect(runSummary(view)).toBe(summary);
    expect(runWentWell(view)).toBe(well);
  });

  it('drops the oldest output lines beyond the limit', () => {
    const events: RunEvent[] = Array.from({ length: MAX_LINES + 10 }, (_, i) => ({ type: 'output', at: i, stream: 'stdout', line: `line ${i}` }));
    const view = fold(events);
    expect(view.lines).toHaveLength(MAX_LINES);
    expect(view.lines[0]!.text).toBe('line 10');
  });

  it('keeps the output of the run it follows', () => {
    const up = fold([{ type: 'output', at: 1, stream: 'stdout', line: 'lab nat is up' }]);
    const verify = startRun('r2', 'verify', 'lab', 2, up.lines);
    expect(verify.lines.map((l) => l.text)).toEqual(['lab nat is up']);
    expect(runReducer(verify, { type: 'output', at: 3, stream: 'stdout', line: 'verify: 5 passed' }).lines).toHaveLength(2);
    expect(up.lines).toHaveLength(1);
  });

  it('builds the reachability matrix from sources to destinations', () => {
    const m = reachabilityMatrix([probe({ id: '1' }), probe({ id: '2', from: 'blue', to: 'red' }), probe({ id: '3', to: 'internet', expect: 'unreachable', observed: 'unreachable' })]);
    expect(m.rows).toEqual(['blue', 'red']);
    expect(m.cols).toEqual(['blue', 'internet', 'red']);
    expect(m.cells.get('red')?.get('internet')?.map((p) => p.id)).toEqual(['3']);
    expect(m.cells.get('blue')?.get('blue')).toBeUndefined();
  });
});
