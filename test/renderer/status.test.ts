import { describe, expect, it } from 'vitest';
import type { LabState } from '../../src/shared/ipc/contract.js';
import { runReducer, startRun } from '../../src/renderer/state/run.js';
import { labBusyStatus, labDoneStatus, runStatus } from '../../src/renderer/state/status.js';

const lab = (state: LabState['state'], problems: string[] = []): LabState => ({ name: 'default', state, problems });

describe('status', () => {
  it('replaces "Starting the sandbox lab host…" with the state it reached', () => {
    expect(labBusyStatus('up', 'default').text).toBe('Starting the sandbox lab host "default"…');
    expect(labDoneStatus(lab('healthy'), 'up')).toEqual({ text: 'Lab host "default": healthy', error: false });
    expect(labDoneStatus(lab('partial', ['sshd is not running']), 'up')).toEqual({ text: 'Lab host "default": partial: sshd is not running', error: true });
    expect(labBusyStatus('down', 'mine').text).toBe('Stopping the sandbox lab host "mine"…');
    expect(labDoneStatus(lab('absent'), 'down')).toEqual({ text: 'Lab host "default": absent', error: false });
    expect(labDoneStatus(lab('healthy'), 'down')).toEqual({ text: 'Lab host "default": healthy', error: true });
  });

  it('tells a run while it runs and when it ends, as an error when it went wrong', () => {
    const view = startRun('r1', 'up', 'local sandbox lab host', 0);
    expect(runStatus(view)).toEqual({ text: 'deploy: running… (local sandbox lab host)', error: false });
    const ok = runReducer(view, { type: 'finished', at: 1, action: 'up', ok: true, exitCode: 0, durationMs: 1500 });
    expect(runStatus(ok)).toEqual({ text: 'deploy: done in 1.5 s', error: false });
    const bad = runReducer(
      runReducer(view, { type: 'error', at: 1, kind: 'connect', message: 'cannot connect to lab:22: ECONNREFUSED' }),
      { type: 'finished', at: 2, action: 'up', ok: false, exitCode: 255, durationMs: 10 },
    );
    expect(runStatus(bad)).toEqual({ text: 'deploy: cannot connect to lab:22: ECONNREFUSED', error: true });
  });
});
