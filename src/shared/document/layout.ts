/**
 * Where nodes go. The Layout command: layoutGraph decides what a force-directed engine places
 * (fcose, run in the renderer by src/renderer/canvas/arrange.ts) and how close: each bridge's
 * plain namespaces become one disc around it, set in rings by placeGroups; separateGroups keeps
 * the discs apart and settle puts the result on the grid. And freeSpot: where a clicked palette
 * item lands.
 */
import type { Doc, Pos } from './commands.js';
import type { NodeInput } from './view.js';

/** Rounds a position to the grid. */
export function snap(pos: Pos, grid = 25): Pos {
  // `+ 0` turns -0 into 0, so snapped positions compare and print cleanly.
  return { x: Math.round(pos.x / grid) * grid + 0, y: Math.round(pos.y / grid) * grid + 0 };
}

/** Where a clicked palette item goes: the grid point nearest `start` (in rings of 4 grid steps) at least 100 px from every element. */
export function freeSpot(start: Pos, taken: readonly Pos[], grid = 25): Pos {
  const free = (p: Pos): boolean => taken.every((t) => Math.abs(t.x - p.x) >= 100 || Math.abs(t.y - p.y) >= 100);
  for (let ring = 0; ring < 40; ring++) {
    for (let dx = -ring; dx <= ring; dx++) {
      for (let dy = -ring; dy <= ring; dy++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const p = { x: start.x + dx * 4 * grid, y: start.y + dy * 4 * grid };
        if (free(p)) return p;
      }
    }
  }
  return start;
}

/**
 * A drawing as the layout engine sees it. Each bridge's plain namespaces (a namespace whose only
 * cable goes to that bridge) form its group: the engine places the bridge as one disc big enough
 * for them, and placeGroups sets them in rings around it. Everything else is placed by the engine.
 */
export interface LayoutGraph {
  /** What the engine places: every node but the group members, with the room it needs. */
  nodes: { id: string; w: number; h: number }[];
  /** Cables between placed nodes (and joins, see layoutGraph), with the length they should have. */
  edges: { id: string; source: string; target: string; length: number }[];
  /** A bridge's members, in document order. */
  groups: Map<string, string[]>;
}

/** Distance from a bridge to its first ring of members. */
export const FIRST_RING = 150;
/** Distance between rings, and between neighbours in a ring. */
export const RING_GAP = 75;
/** The length of a cable between two placed nodes (beyond their own room). */
export const HUB_LENGTH = 120;

/** The radius of each ring holding `count` members: as many rings as needed, each full but the last. */
export function ringRadii(count: number): { radius: number; size: number }[] {
  const rings: { radius: number; size: number }[] = [];
  for (let left = count, radius = FIRST_RING; left > 0; radius += RING_GAP) {
    const size = Math.min(left, Math.max(6, Math.floor((2 * Math.PI * radius) / RING_GAP)));
    rings.push({ radius, size });
    left -= size;
  }
  return rings;
}

/** The size a node takes in the layout: its shape and label, or the disc of its group. */
function layoutSize(n: NodeInput, members: number): { w: number; h: number } {
  if (members > 0) {
    const outer = ringRadii(members).at(-1)!.radius + RING_GAP / 2;
    return { w: 2 * outer, h: 2 * outer };
  }
  if (n.kind === 'bridge') return { w: 90, h: 50 };
  if (n.kind === 'internet') return { w: 70, h: 60 };
  return { w: 50, h: 60 };
}

/**
 * The graph the layout engine places. A bridge with addresses is joined to the host (the kernel
 * joins them), and each part of the drawing still on its own is joined to the biggest part's
 * best connected node, so the engine never piles separate parts on top of each other.
 */
export function layoutGraph(doc: Doc): LayoutGraph {
  const byId = new Map<string, NodeInput>();
  for (const n of doc.nodes ?? []) if (!byId.has(n.id)) byId.set(n.id, n);
  const cables: { id: string; a: string; b: string }[] = [];
  const cablesOf = new Map<string, number>();
  for (const l of doc.links ?? []) {
    if (!byId.has(l.a.node) || !byId.has(l.b.node) || l.a.node === l.b.node) continue;
    cables.push({ id: l.id, a: l.a.node, b: l.b.node });
    for (const id of [l.a.node, l.b.node]) cablesOf.set(id, (cablesOf.get(id) ?? 0) + 1);
  }
  // A member: a plain namespace with one cable, to a bridge.
  const groupOf = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const c of cables) {
    for (const [ns, br] of [[c.a, c.b], [c.b, c.a]] as const) {
      const n = byId.get(ns)!;
      if (n.kind !== 'namespace' || n.router === true || cablesOf.get(ns) !== 1 || byId.get(br)!.kind !== 'bridge') continue;
      groupOf.set(ns, br);
    }
  }
  for (const n of byId.values()) {
    const br = groupOf.get(n.id);
    if (br === undefined) continue;
    const list = groups.get(br);
    if (list) list.push(n.id);
    else groups.set(br, [n.id]);
  }
  const placed = [...byId.values()].filter((n) => !groupOf.has(n.id));
  const nodes = placed.map((n) => ({ id: n.id, ...layoutSize(n, groups.get(n.id)?.length ?? 0) }));
  const edges: LayoutGraph['edges'] = [];
  for (const c of cables) if (!groupOf.has(c.a) && !groupOf.has(c.b)) edges.push({ id: c.id, source: c.a, target: c.b, length: HUB_LENGTH });
  const host = placed.find((n) => n.kind === 'host');
  if (host) {
    for (const n of placed) if (n.kind === 'bridge' && (n.addresses ?? []).length > 0) edges.push({ id: `join:${n.id}`, source: n.id, target: host.id, length: HUB_LENGTH });
  }

  // Parts still on their own: join each one's best connected node to the biggest part's.
  const degree = new Map<string, number>();
  const parent = new Map<string, string>(placed.map((n) => [n.id, n.id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let at = id; at !== root; ) {
      const next = parent.get(at)!;
      parent.set(at, root);
      at = next;
    }
    return root;
  };
  for (const e of edges) {
    degree.set(e.source, (degree.get(e.source) ?? 0) + 1);
    degree.set(e.target, (degree.get(e.target) ?? 0) + 1);
    parent.set(find(e.source), find(e.target));
  }
  const parts = new Map<string, string[]>();
  for (const n of placed) {
    const root = find(n.id);
    const list = parts.get(root);
    if (list) list.push(n.id);
    else parts.set(root, [n.id]);
  }
  const weight = (id: string): number => (degree.get(id) ?? 0) + (groups.get(id)?.length ?? 0);
  const best = (ids: string[]): string => ids.reduce((p, q) => (weight(q) > weight(p) ? q : p));
  const ordered = [...parts.values()].sort((p, q) => q.length - p.length);
  const centre = ordered[0] ? best(ordered[0]) : undefined;
  for (const part of ordered.slice(1)) {
    const hub = best(part);
    edges.push({ id: `join:${hub}`, source: hub, target: centre!, length: HUB_LENGTH });
  }
  return { nodes, edges, groups };
}

/**
 * The engine's positions with no group disc overlapping another node: force-directed engines
 * keep nodes apart only roughly, and a member must sit nearer its own bridge than any other.
 * Pushes each overlapping pair apart along the line between them, both halfway, until none is left.
 */
export function separateGroups(graph: LayoutGraph, placed: Readonly<Record<string, Pos>>): Record<string, Pos> {
  const out: Record<string, Pos> = {};
  for (const n of graph.nodes) out[n.id] = { ...(placed[n.id] ?? { x: 0, y: 0 }) };
  const radius = new Map(graph.nodes.map((n) => [n.id, Math.max(n.w, n.h) / 2]));
  const discs = graph.nodes.filter((n) => graph.groups.has(n.id)).map((n) => n.id);
  const gap = RING_GAP / 2;
  for (let pass = 0; pass < 200; pass++) {
    let moved = false;
    for (const d of discs) {
      for (const n of graph.nodes) {
        if (n.id === d || (graph.groups.has(n.id) && n.id < d)) continue;
        const p = out[d]!;
        const q = out[n.id]!;
        const want = radius.get(d)! + radius.get(n.id)! + gap;
        let dx = q.x - p.x;
        let dy = q.y - p.y;
        let dist = Math.hypot(dx, dy);
        if (dist >= want) continue;
        if (dist === 0) [dx, dy, dist] = [1, 0, 1];
        const push = (want - dist) / 2 + 0.5;
        p.x -= (dx / dist) * push;
        p.y -= (dy / dist) * push;
        q.x += (dx / dist) * push;
        q.y += (dy / dist) * push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}

/** Every node's position: the engine's for the placed nodes, and rings around its bridge for each group member. */
export function placeGroups(graph: LayoutGraph, placed: Readonly<Record<string, Pos>>): Record<string, Pos> {
  const out: Record<string, Pos> = { ...placed };
  for (const [bridge, members] of graph.groups) {
    const centre = placed[bridge];
    if (!centre) continue;
    let next = 0;
    for (const [r, ring] of ringRadii(members.length).entries()) {
      // Alternate rings start half a slot apart, so neighbours in adjacent rings do not line up.
      const offset = r % 2 === 0 ? -Math.PI / 2 : -Math.PI / 2 + Math.PI / ring.size;
      for (let i = 0; i < ring.size; i++, next++) {
        const angle = offset + (2 * Math.PI * i) / ring.size;
        out[members[next]!] = { x: centre.x + ring.radius * Math.cos(angle), y: centre.y + ring.radius * Math.sin(angle) };
      }
    }
  }
  return out;
}

/**
 * The engine's positions on the grid, in the order given: a node whose grid point is taken
 * goes to the nearest free one, so no two nodes end up on the same spot.
 */
export function settle(positions: Readonly<Record<string, Pos>>, grid = 25): Record<string, Pos> {
  const taken = new Set<string>();
  const out: Record<string, Pos> = {};
  for (const [id, p] of Object.entries(positions)) {
    const start = snap(p, grid);
    let spot = start;
    for (let ring = 1; taken.has(`${spot.x},${spot.y}`); ring++) {
      const around: Pos[] = [];
      for (let dx = -ring; dx <= ring; dx++) {
        for (let dy = -ring; dy <= ring; dy++) if (Math.max(Math.abs(dx), Math.abs(dy)) === ring) around.push({ x: start.x + dx * grid, y: start.y + dy * grid });
      }
      spot = around.find((q) => !taken.has(`${q.x},${q.y}`)) ?? spot;
    }
    taken.add(`${spot.x},${spot.y}`);
    out[id] = spot;
  }
  return out;
}
