import { describe, expect, it } from 'vitest';
import type { LabState } from '../../src/shared/ipc/contract.js';
import { deployAction, effectiveAction, followUp, runTargetLabel, startsLabFirst } from '../../src/renderer/state/run-start.js';
import { afterRun } from '../../src/renderer/state/plan.js';
import { runReducer, startRun, type RunView } from '../../src/renderer/state/run.js';

const lab = (state: LabState['state']): LabState => ({ name: 'default', state, problems: [] });

describe('run-start', () => {
  it('deploys through a plan when the drawing compiles, straight up when it does not', () => {
    expect(deployAction(true)).toBe('plan');
    expect(deployAction(false)).toBe('up');
  });

  it.each([
    ['status', 0, 'status'],
    ['verify', 0, 'verify'],
    ['status', 2, 'inspect'],
    ['verify', 1, 'inspect'],
    ['down', 3, 'down'],
    ['up', 1, 'up'],
  ] as const)('runs %s with %i error(s) as %s', (asked, errors, runs) => {
    expect(effectiveAction(asked, errors)).toBe(runs);
  });

  it('starts the sandbox lab host before a deploy or a plan there, unless it is healthy', () => {
    const sandbox = { kind: 'lab', name: 'default' } as const;
    for (const action of ['up', 'plan'] as const) {
      expect(startsLabFirst(sandbox, action, undefined)).toBe(true);
      expect(startsLabFirst(sandbox, action, lab('down'))).toBe(true);
      expect(startsLabFirst(sandbox, action, lab('partial'))).toBe(true);
      expect(startsLabFirst(sandbox, action, lab('healthy'))).toBe(false);
    }
    for (const action of ['verify', 'status', 'down', 'inspect'] as const) expect(startsLabFirst(sandbox, action, lab('down'))).toBe(false);
    expect(startsLabFirst({ kind: 'ssh', id: 'vm' }, 'up', undefined)).toBe(false);
  });

  it('names the target as the run view shows it', () => {
    expect(runTargetLabel({ kind: 'lab', name: 'default' }, [])).toBe('local sandbox lab host');
    expect(runTargetLabel({ kind: 'lab', name: 'ada' }, [])).toBe('sandbox lab host "ada"');
    const targets = [{ id: 'vm', label: 'lab VM', host: 'me@vm', sudo: false, hasPassword: false, hasPassphrase: false, hasSudoPassword: false }];
    expect(runTargetLabel({ kind: 'ssh', id: 'vm' }, targets)).toBe('lab VM');
    expect(runTargetLabel({ kind: 'ssh', id: 'gone' }, targets)).toBe('gone');
  });

  describe('the run that follows', () => {
    const finish = (view: RunView, ok: boolean): RunView => runReducer(view, { type: 'finished', at: 5, action: 'up', ok, exitCode: ok ? 0 : 1, durationMs: 5 });
    const deploy = (): RunView => ({ ...startRun('r1', 'up', 'lab', 0, [{ stream: 'info', text: 'plan said: 2 changes' }]), changes: [{ sign: '+', text: 'namespace red', element: 'red' }] });

    it('verifies a good deploy under its output, with what it changed', () => {
      const before = deploy();
      const done = finish(before, true);
      const then = followUp(afterRun(done, 0), before, done);
      expect(then).toEqual({ action: 'verify', earlier: [{ stream: 'info', text: 'plan said: 2 changes' }, { stream: 'info', text: '— verify —' }], options: { changes: before.changes } });
      expect(followUp(afterRun(finish(before, false), 0), before, finish(before, false))).toBeNull();
    });

    it('follows Verify and Status with an unseen inspect, and a failed login with nothing', () => {
      for (const action of ['verify', 'status'] as const) {
        const before = startRun('r2', action, 'lab', 0);
        const done = finish(before, true);
        expect(followUp(afterRun(done, 0), before, done)).toEqual({ action: 'inspect', earlier: [], options: { unseen: true } });
        const refused = finish({ ...before, error: { kind: 'auth', message: 'denied' } }, false);
        expect(followUp(afterRun(refused, 0), before, refused)).toBeNull();
      }
    });

    it('deploys a plan with nothing to confirm under the plan output', () => {
      const before = startRun('r3', 'plan', 'lab', 0);
      const done = { ...finish(before, true), lines: [{ stream: 'stdout' as const, text: 'plan: nothing runs yet' }] };
      expect(followUp({ kind: 'run', action: 'up' }, before, done)).toEqual({ action: 'up', earlier: [{ stream: 'stdout', text: 'plan: nothing runs yet' }, { stream: 'info', text: '— deploy —' }], options: {} });
      expect(followUp({ kind: 'none' }, before, done)).toBeNull();
    });
  });
});
