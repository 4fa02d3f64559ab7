/**
 * The Layout command's engine: fcose (cytoscape-fcose, a maintained force-directed layout) run
 * over the document's layout graph (src/shared/document/layout.ts decides what is placed and how
 * close) in a headless cytoscape, so the canvas does not move until the result comes back as
 * one document command (one undo step). It starts from the layered layout (autoLayout) with
 * fcose's randomising off, so the same drawing always comes out the same. Runs under Node too.
 */
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { Doc, Pos } from '../../shared/document/commands.js';
import { autoLayout, layoutGraph, placeGroups, separateGroups, settle } from '../../shared/document/layout.js';

let registered = false;

/** Positions for every node of `doc` (notes keep theirs), on the grid. */
export function arrange(doc: Doc): Record<string, Pos> {
  if (!registered) {
    cytoscape.use(fcose);
    registered = true;
  }
  const graph = layoutGraph(doc);
  if (graph.nodes.length === 0) return {};
  // The layered layout is where the engine starts: the same drawing always comes out the same.
  const placed = new Set(graph.nodes.map((n) => n.id));
  const seed = autoLayout({ ...doc, nodes: (doc.nodes ?? []).filter((n) => placed.has(n.id)) });
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: 'data(w)', height: 'data(h)' } }],
    elements: [
      ...graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n }, position: { ...seed[n.id]! } })),
      ...graph.edges.map((e) => ({ group: 'edges' as const, data: { ...e, id: `e:${e.id}` } })),
    ],
  });
  cy.layout({
    name: 'fcose',
    quality: 'proof',
    randomize: false,
    animate: false,
    fit: false,
    nodeDimensionsIncludeLabels: false,
    packComponents: false,
    idealEdgeLength: (edge: cytoscape.EdgeSingular) => edge.data('length') as number,
    nodeRepulsion: () => 6000,
    nodeSeparation: 75,
    numIter: 2500,
  } as cytoscape.LayoutOptions).run();
  const raw: Record<string, Pos> = {};
  for (const n of graph.nodes) raw[n.id] = { ...cy.getElementById(n.id).position() };
  cy.destroy();
  return settle(placeGroups(graph, separateGroups(graph, raw)));
}
