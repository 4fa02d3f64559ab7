import { describe, expect, it } from 'vitest';
import type { PlannedProbe } from '../../../src/shared/compiler/probes.js';
import { diagnose, rediagnose, transitNodes } from '../../../src/shared/deploy/diagnose.js';
import type { ProbeResult } from '../../../src/shared/deploy/events.js';

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
  id: 'red->blue',
  from: 'red',
  to: 'blue',
  kind: 'ping',
  address: '192.168.15.3',
  expect: 'reachable',
  observed: 'unreachable',
  result: 'fail',
  ...over,
});

const planned = (origin: PlannedProbe['origin'], reason: string): PlannedProbe => ({
  id: 'red->blue',
  netns: 'red',
  fromLabel: 'red',
  toLabel: 'blue',
  kind: 'ping',
  address: '192.168.15.3',
  expect: 'reachable',
  reason,
  origin,
  touches: ['red', 'blue'],
  neighbours: 2,
});

describe('diagnose', () => {
  it.each([
    ['a passing probe', probe({ observed: 'reachable', result: 'pass' }), undefined, undefined],
    ['a probe that could not run', probe({ observed: 'unknown', result: 'skip' }), planned('pair', 'via red -> blue'), /^could not probe \(the drawing says: via red -> blue\)$/],
    ['reachable where isolation was expected', probe({ expect: 'unreachable', observed: 'reachable' }), planned('pair', 'red has no route'), /^isolation broken: red reaches blue .*something routes between them/],
    ['a direct link', probe(), planned('pair', 'via red -> blue'), /^no answer: no route/],
    ['a path through a router', probe(), planned('pair', 'via red -> router -> blue'), /forwarding is off in router/],
    ['a path through two routers', probe(), planned('pair', 'via red -> r1 -> r2 -> blue'), /forwarding is off in r1 or r2/],
    ['a path through the host', probe(), planned('pair', 'via red -> host -> blue'), /firewall FORWARD policy DROP on the host/],
    ['the outside', probe({ to: 'internet', address: '203.0.113.1' }), planned('outside', "out of the host's uplink, masqueraded"), /missing NAT for the source .*forwarding off on the host/],
    ['a port forward', probe({ kind: 'tcp', address: '203.0.113.2:80' }), planned('port-forward', 'port 80 is forwarded'), /DNAT rules/],
    ['the host to a namespace', probe({ from: 'host' }), planned('host', 'via host -> blue'), /^the host gets no answer from blue: no route/],
    ['no plan at all', probe(), undefined, /^no answer: no route/],
    ['a path that netem makes lossy', probe(), { ...planned('pair', 'via red -> blue'), impairment: { delayMs: 0, lossPercent: 36, tries: 7, links: ['red-vnet0'] } }, /^no answer in 7 tries: the path loses 36 % of round trips \(netem on red-vnet0\)/],
    ['a path that netem cuts', probe(), { ...planned('pair', 'via red -> blue'), impairment: { delayMs: 0, lossPercent: 100, tries: 3, links: ['red-blue'] } }, /^no answer: the impairments on red-blue drop every packet \(loss 100 %\)/],
    ['a path with only a delay', probe(), { ...planned('pair', 'via red -> blue'), impairment: { delayMs: 100, lossPercent: 0, tries: 1, links: ['red-blue'] } }, /^no answer: no route/],
  ])('explains %s', (_what, result, plan, expected) => {
    const cause = diagnose(result, plan);
    if (expected === undefined) expect(cause).toBeUndefined();
    else expect(cause).toMatch(expected);
  });

  it.each([
    ['via red -> blue', []],
    ['via red -> router -> blue', ['router']],
    ['no way back: green has no route to 192.168.15.2', []],
  ])('finds the transit nodes of %j', (reason, nodes) => {
    expect(transitNodes(reason)).toEqual(nodes);
  });
});

describe('diagnose with what inspect saw', () => {
  const live = { downLinks: [{ link: 'red-vnet0', nodes: ['red', 'vnet0'], why: 'veth-red in red is set down' }] };

  it('names a link seen down on the path as the cause, and does not blame NAT', () => {
    const cause = diagnose(probe({ to: 'internet', address: '203.0.113.1' }), planned('outside', "out of the host's uplink, masqueraded"), live);
    expect(cause).toBe("link red-vnet0 is down (veth-red in red is set down): it is on the path (the drawing says: out of the host's uplink, masqueraded)");
    expect(cause).not.toMatch(/NAT/);
    expect(diagnose(probe({ from: 'host', to: 'blue' }), planned('pair', 'via host -> red -> blue'), live)).toMatch(/^link red-vnet0 is down/);
  });

  it('keeps the usual suspects when the link that is down is elsewhere, and never excuses broken isolation', () => {
    expect(diagnose(probe({ from: 'blue', to: 'host' }), planned('host', 'via blue -> host'), live)).toMatch(/^the host gets no answer/);
    expect(diagnose(probe({ expect: 'unreachable', observed: 'reachable' }), undefined, live)).toMatch(/^isolation broken/);
  });

  it('rediagnose updates only the failed probes', () => {
    const pass = probe({ id: 'ok', observed: 'reachable', result: 'pass' });
    const failed = probe({ cause: 'no answer: no route' });
    const [p, f] = rediagnose([pass, failed], [planned('pair', 'via red -> blue')], live);
    expect(p).toBe(pass);
    expect(f!.cause).toMatch(/^link red-vnet0 is down/);
  });
});
