/**
 * What the canvas shows, as plain data: the document's nodes and links with the marks the
 * designer paints on them (invalid, failing step, probe results). Pure, so it is tested under
 * Node; Canvas.tsx hands these to cytoscape.
 */
import type { Doc } from '../../shared/document/commands.js';
import type { ProbeResult } from '../../shared/deploy/events.js';
import type { Problem } from '../../shared/compiler/problems.js';

export interface CanvasNode {
  id: string;
  label: string;
  kind: 'namespace' | 'router' | 'bridge' | 'host' | 'internet' | 'note';
  position: { x: number; y: number };
  classes: string[];
  /** Text shown on hover: problems and failed probes. */
  tooltip: string;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  classes: string[];
  tooltip: string;
}

export interface Marks {
  problems: readonly Problem[];
  probes: readonly ProbeResult[];
  /** The element of the step that failed in the last run. */
  failedElement: string | null;
}

/** Every node's addresses: a bridge's own, then those on its link ends. */
function addressesByNode(doc: Doc): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (id: string, list: readonly string[] | undefined): void => {
    if (!list || list.length === 0) return;
    const current = out.get(id);
    if (current) current.push(...list);
    else out.set(id, [...list]);
  };
  for (const n of doc.nodes ?? []) if (n.kind === 'bridge') add(n.id, n.addresses);
  for (const l of doc.links ?? []) {
    add(l.a.node, l.a.addresses);
    add(l.b.node, l.b.addresses);
  }
  return out;
}

/** The canvas elements for `doc`; nodes without a position are placed on a grid. */
export function canvasElements(doc: Doc, marks: Marks): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const problemsOf = new Map<string, Problem[]>();
  for (const p of marks.problems) {
    if (p.element === null) continue;
    const list = problemsOf.get(p.element) ?? [];
    list.push(p);
    problemsOf.set(p.element, list);
  }
  // A probe paints its source node, and the link when it runs between two directly linked nodes.
  const probeState = new Map<string, { pass: number; fail: number; lines: string[] }>();
  const mark = (id: string, probe: ProbeResult): void => {
    const s = probeState.get(id) ?? { pass: 0, fail: 0, lines: [] };
    if (probe.result === 'pass') s.pass++;
    if (probe.result === 'fail') {
      s.fail++;
      s.lines.push(`probe ${probe.id}: ${probe.from} → ${probe.to} (${probe.kind}) expected ${probe.expect}, observed ${probe.observed}${probe.cause ? `: ${probe.cause}` : ''}`);
    }
    probeState.set(id, s);
  };
  const linkBetween = new Map<string, string>();
  for (const l of doc.links ?? []) {
    linkBetween.set(`${l.a.node}\n${l.b.node}`, l.id);
    linkBetween.set(`${l.b.node}\n${l.a.node}`, l.id);
  }
  for (const probe of marks.probes) {
    mark(probe.from, probe);
    const link = linkBetween.get(`${probe.from}\n${probe.to}`);
    if (link !== undefined) mark(link, probe);
  }
  const classesFor = (id: string): { classes: string[]; tooltip: string } => {
    const classes: string[] = [];
    const lines: string[] = [];
    const problems = problemsOf.get(id) ?? [];
    if (problems.some((p) => p.severity === 'error')) classes.push('invalid');
    else if (problems.length > 0) classes.push('warned');
    for (const p of problems) lines.push(`${p.severity}: ${p.message}`);
    const probes = probeState.get(id);
    if (probes) {
      classes.push(probes.fail > 0 ? 'probe-fail' : 'probe-pass');
      lines.push(...probes.lines);
    }
    if (marks.failedElement === id) classes.push('step-failed');
    return { classes, tooltip: lines.join('\n') };
  };

  const addressesOf = addressesByNode(doc);
  const nodes: CanvasNode[] = (doc.nodes ?? []).map((n, i) => {
    const kind = n.kind === 'namespace' && n.router ? 'router' : n.kind;
    const name = (n.kind === 'namespace' || n.kind === 'bridge') && n.name && n.name !== n.id ? `${n.id} (${n.name})` : n.id;
    const addresses = n.kind === 'internet' ? (n.target ? [n.target] : []) : n.kind === 'host' ? [] : (addressesOf.get(n.id) ?? []);
    const label = addresses.length > 0 ? `${name}\n${addresses.join('\n')}` : name;
    return {
      id: n.id,
      label,
      kind,
      position: n.position ?? { x: 100 + (i % 10) * 120, y: 100 + Math.floor(i / 10) * 120 },
      ...classesFor(n.id),
    };
  });
  for (const [i, note] of (doc.notes ?? []).entries()) {
    nodes.push({ id: note.id, label: note.text, kind: 'note', position: note.position ?? { x: 100 + i * 180, y: 40 }, classes: [], tooltip: '' });
  }
  const nodeIds = new Set(nodes.map((n) => n.id));
  const edges: CanvasEdge[] = [];
  for (const l of doc.links ?? []) {
    if (!nodeIds.has(l.a.node) || !nodeIds.has(l.b.node)) continue;
    const label = [l.a.ifname, l.b.ifname].filter((s): s is string => !!s).join(' ↔ ');
    edges.push({ id: l.id, source: l.a.node, target: l.b.node, label, ...classesFor(l.id) });
  }
  return { nodes, edges };
}
