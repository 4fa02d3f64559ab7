/**
 * A deterministic layered layout for the whole drawing: the Internet on top, then the host, then
 * bridges and routers, then the other namespaces. Layers are rows centred on one axis; a layer
 * with many nodes wraps into several rows. Within a layer, nodes sit under the average position
 * of their neighbours in the layers above (one barycenter pass), ties in document order, so
 * namespaces end up under their bridge. Linear in nodes and links apart from one sort per layer.
 */
import type { Doc, Pos } from './commands.js';
import type { NodeInput } from './view.js';

/** Horizontal distance between neighbouring nodes in a row. */
export const COLUMN_WIDTH = 150;
/** Vertical distance between rows. */
export const ROW_HEIGHT = 150;
/** Where the layout starts: the top row's y, and the left edge of the widest row. */
export const ORIGIN: Pos = { x: 100, y: 0 };

/** Rounds a position to the grid. */
export function snap(pos: Pos, grid = 25): Pos {
  // `+ 0` turns -0 into 0, so snapped positions compare and print cleanly.
  return { x: Math.round(pos.x / grid) * grid + 0, y: Math.round(pos.y / grid) * grid + 0 };
}

function layerOf(n: NodeInput): number {
  switch (n.kind) {
    case 'internet':
      return 0;
    case 'host':
      return 1;
    case 'bridge':
      return 2;
    case 'namespace':
      return n.router === true ? 2 : 3;
  }
}

/** Most nodes in one row of a layer of `count` nodes: rows stay wider than tall. */
function rowCapacity(count: number): number {
  return Math.max(8, Math.ceil(Math.sqrt(count) * 2));
}

/** Positions for every node (not notes), on the 25 px grid, with no two nodes closer than a column or a row. */
export function autoLayout(doc: Doc): Record<string, Pos> {
  const nodes = doc.nodes ?? [];
  const order = new Map<string, number>();
  const layers: NodeInput[][] = [[], [], [], []];
  for (const n of nodes) {
    if (order.has(n.id)) continue;
    order.set(n.id, order.size);
    layers[layerOf(n)]!.push(n);
  }
  const neighbours = new Map<string, string[]>();
  for (const l of doc.links ?? []) {
    if (!order.has(l.a.node) || !order.has(l.b.node)) continue;
    for (const [x, y] of [[l.a.node, l.b.node], [l.b.node, l.a.node]] as const) {
      const list = neighbours.get(x);
      if (list) list.push(y);
      else neighbours.set(x, [y]);
    }
  }

  // Horizontal slot of each placed node, as a fraction of its row's width (0..1), for barycenters.
  const slot = new Map<string, number>();
  const rows: NodeInput[][] = [];
  for (const layer of layers) {
    if (layer.length === 0) continue;
    const keyed = layer.map((n) => {
      const placed = (neighbours.get(n.id) ?? []).map((id) => slot.get(id)).filter((s): s is number => s !== undefined);
      const center = placed.length > 0 ? placed.reduce((sum, s) => sum + s, 0) / placed.length : Number.POSITIVE_INFINITY;
      return { n, center, index: order.get(n.id)! };
    });
    keyed.sort((p, q) => p.center - q.center || p.index - q.index);
    const capacity = rowCapacity(layer.length);
    for (let start = 0; start < keyed.length; start += capacity) {
      const row = keyed.slice(start, start + capacity).map((k) => k.n);
      row.forEach((n, i) => slot.set(n.id, (i + 0.5) / row.length));
      rows.push(row);
    }
  }

  const widest = Math.max(0, ...rows.map((r) => r.length));
  const axis = ORIGIN.x + ((widest - 1) * COLUMN_WIDTH) / 2;
  // Half a column is a multiple of the grid, so snapping never moves two nodes together.
  return Object.fromEntries(
    rows.flatMap((row, r) => {
      const left = axis - ((row.length - 1) * COLUMN_WIDTH) / 2;
      return row.map((n, i) => [n.id, snap({ x: left + i * COLUMN_WIDTH, y: ORIGIN.y + r * ROW_HEIGHT })] as const);
    }),
  );
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
