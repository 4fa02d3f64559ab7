import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/shared/compiler/index.js';
import { parseProbe, RunOutputParser } from '../../../src/shared/deploy/output-parser.js';
import type { RunEvent } from '../../../src/shared/deploy/events.js';
import { loadExample } from '../../support/examples.js';

function compiled(name: string) {
  const r = compile(loadExample(name));
  if (!r.ok) throw new Error('example does not compile');
  return r;
}

const clock = () => {
  let t = 1000;
  return () => (t += 10);
};

const types = (events: RunEvent[]) => events.map((e) => e.type);

describe('RunOutputParser', () => {
  it('maps numbered steps to the compiler steps and attaches output to the running step', () => {
    const c = compiled('01-veth-pair');
    const parser = new RunOutputParser('up', { steps: c.up, now: clock() });
    const events = [
      ...parser.push('stdout', `@nsd step 1 ${c.up.length}\n[1/9] preflight  check\n@nsd st`),
      ...parser.push('stdout', `ep 2 ${c.up.length}\n`),
      ...parser.push('stderr', 'a warning\n'),
      ...parser.push('stdout', '@nsd done up\n'),
      ...parser.end(0),
    ];
    expect(types(events)).toEqual(['step-started', 'output', 'step-finished', 'step-started', 'output', 'step-finished', 'finished']);
    const second = events[3] as Extract<RunEvent, { type: 'step-started' }>;
    const { id, phase, element, title } = c.up[1]!;
    expect(second.step).toEqual({ index: 2, total: c.up.length, id, phase, element, title });
    expect(events[4]).toMatchObject({ type: 'output', stream: 'stderr', line: 'a warning', step: { id } });
    expect(events.at(-1)).toMatchObject({ type: 'finished', action: 'up', ok: true, exitCode: 0, durationMs: 60 });
  });

  it('reports the failing step with its command and the stderr of that step', () => {
    const c = compiled('04-nat');
    const parser = new RunOutputParser('up', { steps: c.up });
    const index = c.up.findIndex((s) => s.id === 'forwarding/chain/ipv4') + 1;
    const events = [
      ...parser.push('stdout', `@nsd step ${index} ${c.up.length}\n`),
      ...parser.push('stderr', 'iptables: Permission denied.\n\nFAILED at step ...\n'),
      ...parser.push('stdout', `@nsd failed ${index} 4 iptables -t filter -N NSD-nat-FWD\n`),
      ...parser.end(4),
    ];
    const failed = events.find((e) => e.type === 'step-failed');
    expect(failed).toMatchObject({
      step: { index, id: 'forwarding/chain/ipv4', phase: 'forwarding' },
      exitStatus: 4,
      command: 'iptables -t filter -N NSD-nat-FWD',
      stderr: ['iptables: Permission denied.', '', 'FAILED at step ...'],
    });
    expect(events.at(-1)).toMatchObject({ type: 'finished', ok: false, exitCode: 4 });
    expect(events.filter((e) => e.type === 'step-finished')).toEqual([]);
  });

  it('takes the steps of a table as one range, and a failure inside it as the failure of the step lab.sh names', () => {
    const c = compiled('02-bridge');
    const parser = new RunOutputParser('up', { steps: c.up });
    const first = c.up.findIndex((s) => s.phase === 'links') + 1;
    const last = c.up.findLastIndex((s) => s.phase === 'links') + 1;
    const failing = c.up.findIndex((s) => s.id === 'links/blue-vnet0') + 1;
    const events = [
      ...parser.push('stdout', `@nsd step ${first} ${c.up.length} ${last}\n`),
      ...parser.push('stderr', 'RTNETLINK answers: Operation not permitted\nFAILED at step ...\n'),
      ...parser.push('stdout', `@nsd failed ${failing} 1 ip link add veth-blue netns blue type veth peer name veth-blue-br\n`),
      ...parser.end(1),
    ];
    const started = events.find((e) => e.type === 'step-started') as Extract<RunEvent, { type: 'step-started' }>;
    expect(started.step).toMatchObject({ index: first, last, phase: 'links', element: null, title: `${last - first + 1} steps: ${c.up[first - 1]!.title} ... ${c.up[last - 1]!.title}` });
    expect(events.find((e) => e.type === 'step-failed')).toMatchObject({ step: { index: failing, id: 'links/blue-vnet0', element: 'blue-vnet0' }, exitStatus: 1 });
  });

  it('takes a failure in an earlier phase of the running table as the failure of the step lab.sh names', () => {
    // A table announces each of its phases as a range before it runs any of them.
    const c = compiled('02-bridge');
    const parser = new RunOutputParser('up', { steps: c.up });
    const range = (phase: string): string => `${c.up.findIndex((s) => s.phase === phase) + 1} ${c.up.length} ${c.up.findLastIndex((s) => s.phase === phase) + 1}`;
    const failing = c.up.findIndex((s) => s.id === 'namespaces/blue') + 1;
    const events = [
      ...parser.push('stdout', `@nsd step ${range('namespaces')}\n@nsd step ${range('links')}\n`),
      ...parser.push('stderr', 'FAILED at step ...\n'),
      ...parser.push('stdout', `@nsd failed ${failing} 1 ip netns add blue\n`),
      ...parser.end(1),
    ];
    expect(events.find((e) => e.type === 'step-failed')).toMatchObject({ step: { index: failing, id: 'namespaces/blue', element: 'blue' }, exitStatus: 1 });
    // The table's last phase may be a single step, announced as a step of its own.
    const single = new RunOutputParser('up', { steps: c.up });
    const last = c.up.findLastIndex((s) => s.phase === 'links') + 1;
    const fromSingle = [
      ...single.push('stdout', `@nsd step ${range('namespaces')}\n@nsd step ${last} ${c.up.length}\n`),
      ...single.push('stdout', `@nsd failed ${failing} 1 ip netns add blue\n`),
      ...single.end(1),
    ];
    expect(fromSingle.find((e) => e.type === 'step-failed')).toMatchObject({ step: { index: failing, id: 'namespaces/blue' } });
  });

  it('waits for the step stderr that sshd sent after the failure line, so the failed step still shows it', () => {
    const c = compiled('04-nat');
    const index = c.up.findIndex((s) => s.id === 'forwarding/chain/ipv4') + 1;
    const run = (stderrFirst: boolean): RunEvent[] => {
      const parser = new RunOutputParser('up', { steps: c.up });
      const stderr = (): RunEvent[] => parser.push('stderr', 'iptables: Permission denied.\n\nFAILED at step 9/20 (forwarding, -): chain\n  command: iptables\n  exit status: 4\n');
      const marker = (): RunEvent[] => parser.push('stdout', `@nsd failed ${index} 4 iptables -t filter -N NSD-nat-FWD\n`);
      const start = parser.push('stdout', `@nsd step ${index} ${c.up.length}\n`);
      const middle = stderrFirst ? [...stderr(), ...marker()] : [...marker(), ...stderr()];
      return [...start, ...middle, ...parser.end(4)];
    };
    const inOrder = run(true);
    const swapped = run(false);
    const failed = (events: RunEvent[]) => events.find((e) => e.type === 'step-failed') as Extract<RunEvent, { type: 'step-failed' }>;
    expect(failed(swapped).stderr).toEqual(['iptables: Permission denied.', '', 'FAILED at step 9/20 (forwarding, -): chain', '  command: iptables', '  exit status: 4']);
    expect({ ...failed(swapped), at: 0 }).toEqual({ ...failed(inOrder), at: 0 });
    // The failure comes after the lines it quotes, and before the end.
    expect(types(swapped).slice(-2)).toEqual(['step-failed', 'finished']);
    // A failure line whose summary never comes is still reported, at the end.
    const parser = new RunOutputParser('up', { steps: c.up });
    const cut = [...parser.push('stdout', `@nsd step ${index} ${c.up.length}\n@nsd failed ${index} 4 iptables\n`), ...parser.end(4)];
    expect(types(cut)).toEqual(['step-started', 'step-failed', 'finished']);
  });

  it('turns an exit without the ERR trap (a preflight refusal) into a failure of the running step', () => {
    const c = compiled('02-bridge');
    const parser = new RunOutputParser('up', { steps: c.up });
    const events = [...parser.push('stdout', `@nsd step 1 ${c.up.length}\n`), ...parser.push('stderr', 'lab.sh: cannot build lab bridge:\n'), ...parser.end(1)];
    expect(events.find((e) => e.type === 'step-failed')).toMatchObject({ step: { id: 'preflight' }, exitStatus: 1, stderr: ['lab.sh: cannot build lab bridge:'] });
  });

  it('parses probe lines and explains failures with the planned reason', () => {
    const c = compiled('06-router');
    const parser = new RunOutputParser('verify', { probes: c.probes });
    const events = parser.push(
      'stdout',
      [
        '@nsd probe id=red->blue from=red to=blue kind=ping address=192.168.16.2 expect=reachable observed=reachable result=pass ms=0.081',
        '@nsd probe id=red->green from=red to=green kind=ping address=192.168.16.3 expect=unreachable observed=reachable result=fail ms=0.05',
        '@nsd probe id=red->blue from=red to=blue kind=ping address=192.168.16.2 expect=reachable observed=unreachable result=fail ms=-',
        '',
      ].join('\n'),
    );
    const probes = events.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
    expect(probes[0]).toEqual({ id: 'red->blue', from: 'red', to: 'blue', kind: 'ping', address: '192.168.16.2', expect: 'reachable', observed: 'reachable', result: 'pass', latencyMs: 0.081 });
    expect(probes[1]!.cause).toMatch(/^isolation broken: red reaches green/);
    expect(probes[2]!.latencyMs).toBeUndefined();
    expect(probes[2]!.cause).toBe('no answer through router: forwarding is off in router, or a route is missing one way (the drawing says: via red -> router -> blue)');
  });

  it('takes the step list and a clock as plain arguments too', () => {
    const c = compiled('01-veth-pair');
    const parser = new RunOutputParser('down', c.down, clock());
    const events = [...parser.push('stdout', `@nsd step 1 ${c.down.length}\n@nsd done down\n`), ...parser.end(0)];
    expect(events[0]).toMatchObject({ type: 'step-started', at: 1020, step: { id: c.down[0]!.id } });
    expect(events.at(-1)).toMatchObject({ type: 'finished', action: 'down', ok: true, durationMs: 30 });
  });

  it("reads a probe's note, last on its line, words and all", () => {
    const parser = new RunOutputParser('verify');
    const events = parser.push(
      'stdout',
      [
        '@nsd probe id=a->b from=a to=b kind=ping address=10.0.0.2 expect=reachable observed=reachable result=pass ms=100.2 note=passed on try 3 of 5; the path has 20 % loss (netem on a-b)',
        "@nsd probe id=b->a from=b to=a kind=ping address=10.0.0.1 expect=reachable observed=unknown result=skip ms=- note=the kernel's neighbour table was full while it ran (1024 entries, note=x)",
        '@nsd probe id=c->a from=c to=a kind=ping address=10.0.0.1 expect=reachable observed=reachable result=pass ms=0.1',
        '',
      ].join('\n'),
    );
    const notes = events.flatMap((e) => (e.type === 'probe' ? [e.probe.note] : []));
    expect(notes).toEqual(['passed on try 3 of 5; the path has 20 % loss (netem on a-b)', "the kernel's neighbour table was full while it ran (1024 entries, note=x)", undefined]);
  });

  it('leaves unknown @nsd lines and malformed probes as plain output', () => {
    const parser = new RunOutputParser('verify');
    expect(parser.push('stdout', '@nsd hello\n@nsd probe id=x kind=icmp\n').map((e) => e.type)).toEqual(['output', 'output']);
    expect(parseProbe(['id=x', 'kind=ping', 'expect=reachable', 'observed=maybe', 'result=pass'])).toBeUndefined();
  });
});
