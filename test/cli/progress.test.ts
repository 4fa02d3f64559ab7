import { describe, expect, it } from 'vitest';
import { CLEAR_LINE, formatProgress, isStepLine, ProgressOutput, type TerminalInfo } from '../../src/cli/progress.js';
import type { StepRef } from '../../src/shared/deploy/events.js';

const step = (index: number, total: number, id = 'links/red-blue', title = 'veth pair veth-red (in red) <-> veth-blue (in blue)'): StepRef => ({ index, total, id, phase: 'links', element: 'red-blue', title });

/** Records writes as [stream, text] pairs. */
function recorder(): { writes: [string, string][]; sink: { stdout(t: string): void; stderr(t: string): void } } {
  const writes: [string, string][] = [];
  return { writes, sink: { stdout: (t) => void writes.push(['stdout', t]), stderr: (t) => void writes.push(['stderr', t]) } };
}

describe('progress', () => {
  it.each([
    [step(12, 40), 80, '[12/40] links/red-blue  veth pair veth-red (in red) <-> veth-blue (in blue)'],
    [step(3, 140), 80, '[  3/140] links/red-blue  veth pair veth-red (in red) <-> veth-blue (in blue)'],
    [step(12, 40), 30, '[12/40] links/red-blue  veth…'],
    [step(1, 9, 'preflight', 'check root, tools and name conflicts'), 200, '[1/9] preflight  check root, tools and name conflicts'],
  ])('formats %j in %i columns, never as wide as the terminal', (s, columns, text) => {
    const line = formatProgress(s, columns);
    expect(line).toBe(text);
    expect(line.length).toBeLessThan(columns);
  });

  it('recognises the numbered step lines of lab.sh, and nothing else', () => {
    expect(isStepLine('[ 3/27] links      veth pair veth-red (in red) <-> veth-red-br (on vnet0)')).toBe(true);
    expect(isStepLine('[27/27] nat        iptables nat POSTROUTING -> NSD-nat-POST')).toBe(true);
    expect(isStepLine('[ 3-302/2110] namespaces 300 steps: namespace ns1 ... namespace ns300')).toBe(true);
    expect(isStepLine('lab nat is up.')).toBe(false);
    expect(isStepLine('[note] 3/4')).toBe(false);
  });

  it('rewrites one line in place on a terminal and keeps printed lines above it', () => {
    const { writes, sink } = recorder();
    const terminal: TerminalInfo = { stdout: true, stderr: true, columns: 80 };
    const out = new ProgressOutput(sink, terminal);
    out.step(step(1, 2, 'preflight', 'check'));
    out.line('stdout', 'note: something');
    out.step(step(2, 2, 'namespaces/red', 'namespace red'));
    out.done();
    out.line('stdout', 'lab x is up.');
    expect(writes).toEqual([
      ['stderr', `${CLEAR_LINE}[1/2] preflight  check`],
      ['stderr', CLEAR_LINE],
      ['stdout', 'note: something\n'],
      ['stderr', '[1/2] preflight  check'],
      ['stderr', `${CLEAR_LINE}[2/2] namespaces/red  namespace red`],
      ['stderr', CLEAR_LINE],
      ['stdout', 'lab x is up.\n'],
    ]);
  });

  it('leaves stdout alone when only stderr is a terminal', () => {
    const { writes, sink } = recorder();
    const out = new ProgressOutput(sink, { stdout: false, stderr: true });
    out.step(step(1, 2));
    out.line('stdout', '[1/2] links      veth pair');
    expect(writes.slice(1)).toEqual([['stdout', '[1/2] links      veth pair\n']]);
  });

  it('prints plain lines and no progress off a terminal', () => {
    const { writes, sink } = recorder();
    const out = new ProgressOutput(sink);
    expect(out.active).toBe(false);
    out.step(step(1, 2));
    out.line('stdout', '[1/2] preflight  check');
    out.line('stderr', 'lab.sh: oops');
    out.done();
    expect(writes).toEqual([
      ['stdout', '[1/2] preflight  check\n'],
      ['stderr', 'lab.sh: oops\n'],
    ]);
  });
});
