import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { downLinks, elementDrift, inspectSummary, liveFacts, parseInspect, type InspectReport } from '../../../src/shared/deploy/inspect.js';

/** What `lab.sh inspect` printed for the port-forward example right after up, in the sandbox lab host. */
const FIXTURE = readFileSync(new URL('../../fixtures/inspect/port-forward-up.json', import.meta.url), 'utf8');
const fresh = (): InspectReport => parseInspect(FIXTURE);

function setDown(report: InspectReport, netns: string, ifname: string, peer?: { netns: string | null; ifname: string }): void {
  const link = report.namespaces.find((n) => n.name === netns)!.links.find((l) => l.ifname === ifname)!;
  link.flags = link.flags.filter((f) => f !== 'UP');
  link.operstate = 'DOWN';
  if (peer) (peer.netns === null ? report.host : report.namespaces.find((n) => n.name === peer.netns)!).links.find((l) => l.ifname === peer.ifname)!.operstate = 'LOWERLAYERDOWN';
}

describe('parseInspect', () => {
  it('reads the report lab.sh printed, ip -j dumps included', () => {
    const r = fresh();
    expect(r.lab).toBe('port-forward');
    expect(r.want.every((i) => i.state === 'present')).toBe(true);
    expect(r.namespaces.find((n) => n.name === 'red')!.links.find((l) => l.ifname === 'veth-red')!.operstate).toBe('UP');
  });

  it('says what is wrong with text that is not the report', () => {
    expect(() => parseInspect('lab.sh: inspect needs root')).toThrow(/lab\.sh inspect printed no JSON/);
    expect(() => parseInspect(JSON.stringify({ ...JSON.parse(FIXTURE), want: [{ line: 'netns red', element: 'red', state: 'gone', note: '' }] }))).toThrow(/want\.0\.state/);
  });
});

describe('judgeQdiscs', () => {
  /** The fixture with a netem line in the drawing and rb's qdisc on veth-red in red, as tc -j printed it (kernel 6.1, UML). */
  function withNetem(line: string, options: unknown): string {
    const json = JSON.parse(FIXTURE) as { want: unknown[]; namespaces: Array<{ name: string; qdiscs: unknown[] }> };
    json.want.push({ line, element: 'red-vnet0', state: 'present', note: '' });
    json.namespaces.find((n) => n.name === 'red')!.qdiscs.push({ kind: 'netem', handle: '8001:', dev: 'veth-red', root: true, refcnt: 2, options });
    return JSON.stringify(json);
  }
  const TC = { limit: 1000, delay: { delay: 0.05, jitter: 0.01, correlation: 0 }, 'loss-random': { loss: 0.015, correlation: 0 }, ecn: false, gap: 0 };

  it('keeps a qdisc whose figures match present, and makes one with other figures different, saying how', () => {
    expect(parseInspect(withNetem('qdisc red veth-red delay 50ms 10ms loss 1.5%', TC)).want.at(-1)).toMatchObject({ state: 'present', note: '' });
    const changed = parseInspect(withNetem('qdisc red veth-red delay 20ms loss 1.5%', TC));
    expect(changed.want.at(-1)).toMatchObject({ state: 'different', note: 'delay is 50 ms instead of 20 ms; jitter is 10 ms instead of 0 ms' });
    expect(elementDrift(changed).get('red-vnet0')?.kind).toBe('different');
  });
});

describe('downLinks and elementDrift', () => {
  it('finds no drift in a lab just built', () => {
    expect(downLinks(fresh())).toEqual([]);
    expect(elementDrift(fresh()).size).toBe(0);
  });

  it('names the end that was set down, not its peer that went down with it', () => {
    const r = fresh();
    setDown(r, 'red', 'veth-red', { netns: null, ifname: 'veth-red-br' });
    const down = downLinks(r);
    expect(down.map((d) => [d.element, d.why])).toEqual([['red-vnet0', 'veth-red in red is set down']]);
    expect(elementDrift(r).get('red-vnet0')).toEqual({ kind: 'down', notes: ['link down: veth-red in red is set down'] });
  });

  it('ranks missing over down over different over extra, keeping every note', () => {
    const r = fresh();
    setDown(r, 'blue', 'veth-blue');
    r.want.find((i) => i.line === 'addr blue veth-blue 192.168.15.2/24')!.state = 'missing';
    r.want.find((i) => i.line === 'route red default via 192.168.15.5')!.state = 'different';
    r.extra.push({ line: 'addr red veth-red 192.168.15.7/24', element: 'red-vnet0', state: 'present', note: '' });
    r.extra.push({ line: 'netns green', element: 'green', state: 'missing', note: '' });
    const drift = elementDrift(r);
    expect(drift.get('blue-vnet0')!.kind).toBe('missing');
    expect(drift.get('blue-vnet0')!.notes).toHaveLength(2);
    expect(drift.get('red')!.kind).toBe('different');
    expect(drift.get('red-vnet0')).toEqual({ kind: 'extra', notes: ['on the host but not in the drawing: addr red veth-red 192.168.15.7/24'] });
    // What the record names but the host no longer has is no drift of the drawing.
    expect(drift.has('green')).toBe(false);
  });
});

describe('inspectSummary', () => {
  it('counts, then one line per finding and the processes in the namespaces', () => {
    const r = fresh();
    setDown(r, 'red', 'veth-red');
    r.namespaces[1]!.pids.push({ pid: 42, comm: 'python3' });
    expect(inspectSummary(r)).toEqual(['lab port-forward: 27 of 27 parts present, 0 missing, 0 different, 1 link(s) down, 0 extra', 'down       link red-vnet0: veth-red in red is set down', 'processes  blue: python3 (42)']);
  });
});

describe('liveFacts', () => {
  it('gives each link seen down the nodes at its ends in the drawing', () => {
    const r = fresh();
    setDown(r, 'red', 'veth-red');
    const links = [{ id: 'red-vnet0', a: { node: 'red' }, b: { node: 'vnet0' } }];
    expect(liveFacts(r, links)).toEqual({ downLinks: [{ link: 'red-vnet0', nodes: ['red', 'vnet0'], why: 'veth-red in red is set down' }] });
  });
});
