import { describe, expect, it } from 'vitest';
import type { LabState } from '../../src/shared/ipc/contract.js';
import { deployAction, effectiveAction, runTargetLabel, startsLabFirst } from '../../src/renderer/state/run-start.js';

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
});
