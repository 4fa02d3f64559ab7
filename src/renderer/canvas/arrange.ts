/**
 * The Layout command's engine: fcose (cytoscape-fcose, a maintained force-directed layout) run
 * over the document's layout graph (src/shared/document/layout.ts decides what is placed and how
 * close) in a headless cytoscape, so the canvas does not move until the result comes back as
 * one document command (one undo step). Runs under Node as well as in the browser.
 */
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { Doc, Pos } from '../../shared/document/commands.js';
import { layoutGraph, placeGroups, separateGroups, settle } from '../../shared/document/layout.js';

let registered = false;

/** A small seeded pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` (synchronous) with Math.random replaced by `random`. */
function withRandom(random: () => number, fn: () => void): void {
  const original = Math.random;
  Math.random = random;
  try {
    fn();
  } finally {
    Math.random = original;
  }
}

/** Positions for every node of `doc` (notes keep theirs), on the grid. */
export function arrange(doc: Doc): Record<string, Pos> {
  if (!registered) {
    cytoscape.use(fcose);
    registered = true;
  }
  const graph = layoutGraph(doc);
  if (graph.nodes.length === 0) return {};
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: 'data(w)', height: 'data(h)' } }],
    elements: [
      ...graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n } })),
      ...graph.edges.map((e) => ({ group: 'edges' as const, data: { ...e, id: `e:${e.id}` } })),
    ],
  });
  // fcose starts from a random spread (its spectral start with fixed positions folds drawings
  // onto a diagonal): a fixed seed makes the same drawing always come out the same.
  withRandom(seeded(graph.nodes.length), () =>
    cy
      .layout({
        name: 'fcose',
        quality: 'default',
        randomize: true,
        animate: false,
        fit: false,
        nodeDimensionsIncludeLabels: false,
        packComponents: false,
        idealEdgeLength: (edge: cytoscape.EdgeSingular) => edge.data('length') as number,
        nodeRepulsion: () => 6000,
        nodeSeparation: 75,
        numIter: 2500,
      } as cytoscape.LayoutOptions)
      .run(),
  );
  const raw: Record<string, Pos> = {};
  for (const n of graph.nodes) raw[n.id] = { ...cy.getElementById(n.id).position() };
  cy.destroy();
  return settle(placeGroups(graph, separateGroups(graph, raw)));
}
