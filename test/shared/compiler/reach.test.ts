import { describe, expect, it, vi } from 'vitest';
import { TopologyDocument, type TopologyInput } from '../../../src/shared/model/topology.js';
import { plan } from '../../../src/shared/compiler/plan.js';
import { planProbes } from '../../../src/shared/compiler/probes.js';
import { resolve } from '../../../src/shared/model/resolve.js';
import { loadExample } from '../../support/examples.js';

function probes(input: unknown) {
  const r = resolve(TopologyDocument.parse(input));
  return planProbes(plan(r.doc, r), r);
}

function expectations(input: unknown): Record<string, string> {
  return Object.fromEntries(probes(input).map((p) => [p.id, p.expect]));
}

describe('reachability model', () => {
  it('expects the tutorial isolation: red without a default route stays inside, blue gets out through NAT', () => {
    expect(expectations(loadExample('04-nat'))).toEqual({
      'red->blue': 'reachable',
      'host->red': 'reachable',
      'host->blue': 'reachable',
      'red->internet': 'unreachable',
      'blue->internet': 'reachable',
    });
    const red = probes(loadExample('04-nat')).find((p) => p.id === 'red->internet')!;
    expect(red.reason).toBe('red has no route to 203.0.113.1');
  });

  it('routes through a router, and sees that a namespace without a route back is isolated', () => {
    const e = expectations(loadExample('06-router'));
    expect(e['red->blue']).toBe('reachable');
    expect(e['red->green']).toBe('unreachable');
    expect(e['blue->green']).toBe('reachable');
    expect(probes(loadExample('06-router')).find((p) => p.id === 'red->green')!.reason).toBe('no way back: green has no route to 192.168.15.2');
  });

  it('knows that a gateway which does not forward drops transit traffic', () => {
    const doc = loadExample('06-router') as TopologyInput;
    const router = doc.nodes!.find((n) => n.id === 'router')!;
    Object.assign(router, { router: false });
    const p = probes(doc).find((x) => x.id === 'red->blue')!;
    expect(p.expect).toBe('unreachable');
    expect(p.reason).toBe('router does not forward packets (it is not a router)');
  });

  it('requires masquerade for traffic leaving through the uplink', () => {
    const doc = loadExample('04-nat') as TopologyInput;
    doc.nat = { masquerade: [], portForwards: [] };
    Object.assign(doc.nodes!.find((n) => n.id === 'host')!, { forwarding: true });
    const p = probes(doc).find((x) => x.id === 'blue->internet')!;
    expect(p.expect).toBe('unreachable');
    expect(p.reason).toMatch(/no masquerade for 192\.168\.15\.2/);
  });

  it('requires the host to forward when namespaces route through it', () => {
    const doc = loadExample('04-nat') as TopologyInput;
    Object.assign(doc.nodes!.find((n) => n.id === 'host')!, { forwarding: false });
    expect(expectations(doc)['blue->internet']).toBe('unreachable');
  });

  it('probes every pair up to 16 namespaces and a ring above that', () => {
    const make = (n: number) => ({
      version: 1,
      name: 'ring',
      nodes: [{ id: 'br0', kind: 'bridge' }, ...Array.from({ length: n }, (_, i) => ({ id: `ns${i}`, kind: 'namespace' }))],
      links: Array.from({ length: n }, (_, i) => ({ id: `l${i}`, a: { node: `ns${i}`, addresses: [`10.0.${i >> 8}.${(i & 255) + 1}/16`] }, b: { node: 'br0' } })),
    });
    expect(probes(make(16))).toHaveLength((16 * 15) / 2);
    const ring = probes(make(17));
    expect(ring).toHaveLength(17);
    expect(ring.every((p) => p.expect === 'reachable')).toBe(true);
    expect(ring.at(-1)!.id).toBe('ns16->ns0');
  });

  it("finds each next hop by its address, not by searching the segment's members (a bridge's 200 ports for every probe of a large lab)", () => {
    const doc = {
      version: 1,
      name: 'ring',
      nodes: [{ id: 'br0', kind: 'bridge' }, ...Array.from({ length: 40 }, (_, i) => ({ id: `ns${i}`, kind: 'namespace' }))],
      links: Array.from({ length: 40 }, (_, i) => ({ id: `l${i}`, a: { node: `ns${i}`, addresses: [`10.0.0.${i + 1}/24`] }, b: { node: 'br0' } })),
    };
    const r = resolve(TopologyDocument.parse(doc));
    const finds = r.segments.map((s) => vi.spyOn(s.members, 'find'));
    const ring = planProbes(plan(r.doc, r), r);
    expect(ring.map((p) => p.reason)).toContain('via ns39 -> ns0');
    for (const f of finds) expect(f).not.toHaveBeenCalled();
  });

  it('keeps the user probes with their own expectation and says when the model disagrees', () => {
    const doc = loadExample('06-router') as TopologyInput;
    doc.probes = [{ id: 'mine', from: 'red', to: 'green', expect: 'reachable' }];
    const p = probes(doc).find((x) => x.id === 'mine')!;
    expect(p.expect).toBe('reachable');
    expect(p.address).toBe('192.168.16.3');
    expect(p.reason).toMatch(/^set by hand; the model predicts unreachable/);
  });
});
