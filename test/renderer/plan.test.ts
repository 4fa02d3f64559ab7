import { describe, expect, it } from 'vitest';
import { afterRun, parsePlan, planHeadline, planNeedsConfirmation } from '../../src/renderer/state/plan.js';

/** What lab.sh plan printed for the port-forward lab after blue was removed and red readdressed (cut short). */
const PLAN = [
  '~ iptables nat chain NSD-port-forward-PRE: its rules change (refilled in order)',
  '- netns blue  [blue]',
  '- addr red veth-red 192.168.15.1/24  [red-vnet0]',
  '+ addr red veth-red 192.168.25.1/24  [red-vnet0]',
  'plan for lab port-forward: 1 to add, 2 to remove, 1 chain(s) to refill; the rest stays as it is',
];
const out = (lines: string[]) => lines.map((text) => ({ stream: 'stdout', text }));

describe('parsePlan', () => {
  it('reads each change with its element, and the counts', () => {
    const plan = parsePlan(PLAN)!;
    expect(plan.changes).toEqual([
      { sign: '~', text: 'iptables nat chain NSD-port-forward-PRE', element: null },
      { sign: '-', text: 'netns blue', element: 'blue' },
      { sign: '-', text: 'addr red veth-red 192.168.15.1/24', element: 'red-vnet0' },
      { sign: '+', text: 'addr red veth-red 192.168.25.1/24', element: 'red-vnet0' },
    ]);
    expect(planHeadline(plan)).toBe('1 to add, 2 to remove, 1 chain to refill');
  });

  it('reads a changed impairment (~ qdisc) with its element, counts it, and asks before applying it', () => {
    const plan = parsePlan([
      '~ qdisc red veth-red: delay 50ms -> delay 20ms  [red-blue]',
      'plan for lab x: 0 to add, 0 to remove, 0 chain(s) to refill, 1 qdisc(s) to change; the rest stays as it is',
    ])!;
    expect(plan.changes).toEqual([{ sign: '~', text: 'qdisc red veth-red: delay 50ms -> delay 20ms', element: 'red-blue' }]);
    expect(plan.changed).toBe(1);
    expect(planHeadline(plan)).toBe('0 to add, 0 to remove, 0 chains to refill, 1 impairment to change');
    expect(planNeedsConfirmation(plan, 10)).toBe(true);
    expect(parsePlan(PLAN)!.changed).toBe(0);
  });

  it('reads a re-plugged cable (~ veth) with its element, counts it, and asks before applying it', () => {
    const plan = parsePlan([
      '~ veth veth-green <-> veth-green-br: re-plugged (veth-green-br: vnet0 -> vnet1)  [green-vnet0]',
      'plan for lab bridge: 0 to add, 0 to remove, 0 chain(s) to refill, 1 veth pair(s) to re-plug; the rest stays as it is',
    ])!;
    expect(plan.changes).toEqual([{ sign: '~', text: 'veth veth-green <-> veth-green-br: re-plugged (veth-green-br: vnet0 -> vnet1)', element: 'green-vnet0' }]);
    expect(plan.replugged).toBe(1);
    expect(planHeadline(plan)).toBe('0 to add, 0 to remove, 0 chains to refill, 1 cable to re-plug');
    expect(planNeedsConfirmation(plan, 10)).toBe(true);
    expect(parsePlan(PLAN)!.replugged).toBe(0);
  });

  it('is null without the summary line (plan failed)', () => {
    expect(parsePlan(['lab.sh: plan needs root'])).toBeNull();
  });
});

describe('planNeedsConfirmation', () => {
  const plan = (added: number, removed: number, refilled: number) => ({ changes: [], added, removed, refilled });
  it('asks only when a running lab changes', () => {
    expect(planNeedsConfirmation(plan(27, 0, 0), 27)).toBe(false); // nothing there yet: a fresh deploy
    expect(planNeedsConfirmation(plan(0, 0, 0), 27)).toBe(false); // the lab matches the drawing
    expect(planNeedsConfirmation(plan(3, 0, 0), 27)).toBe(true);
    expect(planNeedsConfirmation(plan(0, 1, 0), 27)).toBe(true);
    expect(planNeedsConfirmation(plan(0, 0, 1), 27)).toBe(true);
  });
});

describe('afterRun', () => {
  const view = (action: string, ok: boolean | null, lines: string[] = []) => ({ action, finished: ok === null ? null : { ok }, lines: out(lines) });
  it('verifies a good deploy, inspects after Verify and Status, and nothing after the rest', () => {
    expect(afterRun(view('up', true), 1)).toEqual({ kind: 'run', action: 'verify' });
    expect(afterRun(view('up', false), 1)).toEqual({ kind: 'none' });
    expect(afterRun(view('verify', false), 1)).toEqual({ kind: 'run', action: 'inspect' });
    expect(afterRun(view('status', true), 1)).toEqual({ kind: 'run', action: 'inspect' });
    expect(afterRun(view('down', true), 1)).toEqual({ kind: 'none' });
    expect(afterRun(view('verify', null), 1)).toEqual({ kind: 'none' });
  });

  it('inspects only after a Verify or Status that reached the lab: not after a refused host key, a login or a lost connection', () => {
    const failed = (action: string, kind: string) => ({ ...view(action, false), error: { kind } });
    expect(afterRun(failed('verify', 'script'), 1)).toEqual({ kind: 'run', action: 'inspect' });
    expect(afterRun(failed('status', 'script'), 1)).toEqual({ kind: 'run', action: 'inspect' });
    for (const kind of ['host-key-unknown', 'host-key-changed', 'connect', 'auth', 'sudo', 'timeout', 'cancelled', 'connection-lost']) {
      expect(afterRun(failed('status', kind), 1)).toEqual({ kind: 'none' });
      expect(afterRun(failed('verify', kind), 1)).toEqual({ kind: 'none' });
    }
  });

  it('asks before applying a plan that changes a running lab, and deploys a fresh one at once', () => {
    expect(afterRun(view('plan', true, PLAN), 27)).toMatchObject({ kind: 'confirm', plan: { added: 1, removed: 2 } });
    const fresh = ['+ netns red  [red]', 'plan for lab x: 1 to add, 0 to remove, 0 chain(s) to refill; the rest stays as it is'];
    expect(afterRun(view('plan', true, fresh), 1)).toEqual({ kind: 'run', action: 'up' });
    expect(afterRun(view('plan', false, PLAN), 27)).toEqual({ kind: 'none' });
  });
});
