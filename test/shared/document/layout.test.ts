import { describe, expect, it } from 'vitest';
import { freeSpot, FIRST_RING, layoutGraph, placeGroups, ringRadii, RING_GAP, separateGroups, settle, snap } from '../../../src/shared/document/layout.js';
import type { Doc, Pos } from '../../../src/shared/document/commands.js';

/** A lab of `bridges` bridges with `perBridge` namespaces each, a router, a host and the internet. */
function bigLab(bridges: number, perBridge: number): Doc {
  const nodes: NonNullable<Doc['nodes']> = [{ id: 'internet', kind: 'internet' }, { id: 'host', kind: 'host' }, { id: 'r', kind: 'namespace', router: true }];
  const links: NonNullable<Doc['links']> = [{ id: 'up', a: { node: 'host' }, b: { node: 'internet' } }];
  for (let b = 0; b < bridges; b++) {
    nodes.push({ id: `br${b}`, kind: 'bridge' });
    links.push({ id: `r-br${b}`, a: { node: 'r' }, b: { node: `br${b}` } });
    for (let i = 0; i < perBridge; i++) {
      nodes.push({ id: `n${b}-${i}`, kind: 'namespace' });
      links.push({ id: `l${b}-${i}`, a: { node: `n${b}-${i}` }, b: { node: `br${b}` } });
    }
  }
  return { version: 1, name: 'big', nodes, links };
}

describe('snap', () => {
  it.each<[Pos, number | undefined, Pos]>([
    [{ x: 12, y: 13 }, undefined, { x: 0, y: 25 }],
    [{ x: 37.4, y: 62.6 }, undefined, { x: 25, y: 75 }],
    [{ x: -12, y: -13 }, undefined, { x: 0, y: -25 }],
    [{ x: 14, y: 16 }, 10, { x: 10, y: 20 }],
  ])('snaps %j to the grid of %s as %j', (pos, grid, expected) => {
    const out = grid === undefined ? snap(pos) : snap(pos, grid);
    expect(out).toEqual(expected);
    expect(Object.is(out.x, -0)).toBe(false);
  });
});

describe('freeSpot', () => {
  it('takes the start when nothing is near it', () => {
    expect(freeSpot({ x: 300, y: 200 }, [{ x: 0, y: 0 }])).toEqual({ x: 300, y: 200 });
  });

  it('moves out in rings until it is clear of every element', () => {
    const taken = [{ x: 300, y: 200 }];
    const spot = freeSpot({ x: 300, y: 200 }, taken);
    expect(Math.max(Math.abs(spot.x - 300), Math.abs(spot.y - 200))).toBe(100);
    const crowded = [-1, 0, 1].flatMap((i) => [-1, 0, 1].map((j) => ({ x: 300 + i * 100, y: 200 + j * 100 })));
    const far = freeSpot({ x: 300, y: 200 }, crowded);
    expect(crowded.every((t) => Math.abs(t.x - far.x) >= 100 || Math.abs(t.y - far.y) >= 100)).toBe(true);
    expect([far.x % 25, far.y % 25]).toEqual([0, 0]);
  });
});

describe('layout graph (what the engine places)', () => {
  it('makes each bridge one disc for its plain namespaces, and places routers, the host and the internet itself', () => {
    const doc = bigLab(2, 30);
    const g = layoutGraph(doc);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['br0', 'br1', 'host', 'internet', 'r']);
    expect(g.groups.get('br0')).toEqual(Array.from({ length: 30 }, (_, i) => `n0-${i}`));
    const disc = g.nodes.find((n) => n.id === 'br0')!;
    expect(disc.w).toBe(2 * (ringRadii(30).at(-1)!.radius + RING_GAP / 2));
    // host and internet are a part of their own here: joined to the routers' part.
    expect(g.edges.map((e) => e.id).sort()).toEqual(['join:internet', 'r-br0', 'r-br1', 'up']);
  });

  it('joins a bridge with addresses to the host, and parts on their own to the biggest part', () => {
    const doc: Doc = {
      version: 1,
      name: 't',
      nodes: [
        { id: 'host', kind: 'host' },
        { id: 'br', kind: 'bridge', addresses: ['10.0.0.254/24'] },
        { id: 'a', kind: 'namespace' },
        { id: 'lonely', kind: 'namespace' },
      ],
      links: [{ id: 'l', a: { node: 'a' }, b: { node: 'br' } }],
    };
    const g = layoutGraph(doc);
    expect(g.edges.map((e) => [e.source, e.target])).toEqual([
      ['br', 'host'],
      ['lonely', 'br'],
    ]);
  });

  it('counts a namespace with two cables, or on a namespace, as placed by the engine', () => {
    const doc: Doc = {
      version: 1,
      name: 't',
      nodes: [{ id: 'br', kind: 'bridge' }, { id: 'two', kind: 'namespace' }, { id: 'x', kind: 'namespace' }, { id: 'y', kind: 'namespace' }],
      links: [
        { id: 'l1', a: { node: 'two' }, b: { node: 'br' } },
        { id: 'l2', a: { node: 'two' }, b: { node: 'x' } },
        { id: 'l3', a: { node: 'x' }, b: { node: 'y' } },
      ],
    };
    expect(layoutGraph(doc).groups.size).toBe(0);
  });

  it('fills rings around the bridge, the first at FIRST_RING, neighbours a ring gap apart', () => {
    expect(ringRadii(0)).toEqual([]);
    expect(ringRadii(3)).toEqual([{ radius: FIRST_RING, size: 3 }]);
    const rings = ringRadii(100);
    expect(rings.reduce((sum, r) => sum + r.size, 0)).toBe(100);
    for (const r of rings.slice(0, -1)) expect((2 * Math.PI * r.radius) / r.size).toBeGreaterThanOrEqual(RING_GAP);
    const g = layoutGraph(bigLab(1, 40));
    const p = placeGroups(g, { br0: { x: 1000, y: 500 } });
    for (let i = 0; i < 40; i++) {
      const d = Math.hypot(p[`n0-${i}`]!.x - 1000, p[`n0-${i}`]!.y - 500);
      expect(d).toBeGreaterThanOrEqual(FIRST_RING - 0.001);
      expect(d).toBeLessThanOrEqual(rings.at(-1)!.radius);
    }
  });

  it('pushes overlapping discs apart until they keep a gap', () => {
    const g = layoutGraph(bigLab(3, 50));
    const p = separateGroups(g, { br0: { x: 0, y: 0 }, br1: { x: 10, y: 0 }, br2: { x: 0, y: 0 }, r: { x: 5, y: 5 }, host: { x: 0, y: 0 }, internet: { x: 0, y: 0 } });
    const r = g.nodes.find((n) => n.id === 'br0')!.w / 2;
    for (const [a, b] of [['br0', 'br1'], ['br0', 'br2'], ['br1', 'br2']] as const) {
      expect(Math.hypot(p[a]!.x - p[b]!.x, p[a]!.y - p[b]!.y)).toBeGreaterThanOrEqual(2 * r);
    }
  });

  it('settles positions on the grid, a taken spot sending the later node to the nearest free one', () => {
    expect(settle({ a: { x: 12, y: 13 }, b: { x: 2, y: 24 }, c: { x: 101, y: 0 } })).toEqual({ a: { x: 0, y: 25 }, b: { x: -25, y: 0 }, c: { x: 100, y: 0 } });
  });
});
