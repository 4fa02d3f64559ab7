import { describe, expect, it } from 'vitest';
import { arrange } from '../../src/renderer/canvas/arrange.js';
import type { Doc, Pos } from '../../src/shared/document/commands.js';
import { snap } from '../../src/shared/document/layout.js';
import { bridgedLab } from '../../bench/topologies.js';
import { loadExample } from '../support/examples.js';

/** The plain namespaces (not routers) on a bridge that are not nearer their own bridge than every other. */
function strays(doc: Doc, p: Record<string, Pos>): string[] {
  const bridges = (doc.nodes ?? []).filter((n) => n.kind === 'bridge').map((n) => n.id);
  const routers = new Set((doc.nodes ?? []).filter((n) => n.kind === 'namespace' && n.router).map((n) => n.id));
  const out: string[] = [];
  for (const l of doc.links ?? []) {
    const [ns, own] = bridges.includes(l.b.node) ? [l.a.node, l.b.node] : [l.b.node, l.a.node];
    if (!bridges.includes(own) || routers.has(ns)) continue;
    const d = (b: string) => Math.hypot(p[ns]!.x - p[b]!.x, p[ns]!.y - p[b]!.y);
    if (bridges.some((b) => b !== own && d(b) <= d(own))) out.push(ns);
  }
  return out;
}

describe('arrange (fcose over the layout graph)', () => {
  it('groups 1,000 namespaces on 4 bridges around their own bridge, on the grid, none on another', () => {
    const doc = bridgedLab(1000, 250) as Doc;
    const p = arrange(doc);
    expect(Object.keys(p).sort()).toEqual((doc.nodes ?? []).map((n) => n.id).sort());
    expect(strays(doc, p)).toEqual([]);
    const spots = new Set(Object.values(p).map((q) => `${q.x},${q.y}`));
    expect(spots.size).toBe(doc.nodes!.length);
    for (const q of Object.values(p)) expect(snap(q)).toEqual(q);
  });

  it('gives the same drawing the same layout every time', () => {
    const doc = loadExample('06-router') as Doc;
    expect(arrange(doc)).toEqual(arrange(doc));
  });

  it('keeps a router between its segments, each namespace nearest its own bridge', () => {
    const doc = loadExample('06-router') as Doc;
    const p = arrange(doc);
    expect(strays(doc, p)).toEqual([]);
    expect(arrange({ version: 1, name: 'e' })).toEqual({});
  });
});
