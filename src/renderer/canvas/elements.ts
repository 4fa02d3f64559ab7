/**
 * What the canvas shows, as plain data: the document's nodes and links with the marks the
 * designer paints on them (invalid, failing step, probe results). Pure, so it is tested under
 * Node; Canvas.tsx hands these to cytoscape.
 */
import type { Doc } from '../../shared/document/commands.js';
import type { ProbeResult } from '../../shared/deploy/events.js';
import type { Problem } from '../../shared/compiler/problems.js';
import { serviceText, type ElementDrift, type ServiceState } from '../../shared/deploy/inspect.js';
import { interfaceNames } from '../../shared/document/view.js';
import { linkNetemLabel } from '../../shared/compiler/netem.js';

export interface CanvasNode {
  id: string;
  /** The name, then a bridge's own addresses, then the badges. */
  label: string;
  kind: 'namespace' | 'router' | 'bridge' | 'host' | 'internet' | 'note';
  position: { x: number; y: number };
  classes: string[];
  /** Text shown on hover: problems and failed probes. */
  tooltip: string;
  /** What NAT does here: "MASQ 192.168.15.0/24", "tcp 80 -> blue:80" (host and internet); a namespace's services, "⚙ web". */
  badges: string[];
  /** What search matches: id, name and addresses (with and without the prefix length). */
  terms: string[];
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  /** The interface names, "veth-red ↔ veth-red-br": drawn at a readable zoom, and on hover. */
  label: string;
  /** The addresses of each end, drawn at that end of the cable. */
  sourceLabel: string;
  targetLabel: string;
  /** The link's impairments, "50 ms, 1 %" (empty: none): always drawn, with class `impaired`. */
  badge: string;
  classes: string[];
  tooltip: string;
}

export interface Marks {
  problems: readonly Problem[];
  probes: readonly ProbeResult[];
  /** The element of the step that failed in the last run. */
  failedElement: string | null;
  /** What inspect saw on the host, per element (after Verify and Status). */
  drift?: ReadonlyMap<string, ElementDrift>;
  /** The services inspect saw, by node id (after Verify and Status). */
  services?: ReadonlyMap<string, readonly ServiceState[]>;
}

/** A service on its node: `⚙ web`, and after Status what it does, `⚙ web: running (pid 42)`. */
function serviceBadge(id: string, seen: ServiceState | undefined): string {
  return `⚙ ${id}${seen ? `: ${serviceText(seen)}` : ''}`;
}

const ipOf = (cidr: string): string => cidr.split('/')[0]!;

/** The node holding each address (without prefix): link ends, then bridges (the host's). */
function ownerOfAddress(doc: Doc): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of doc.links ?? []) {
    for (const end of [l.a, l.b]) for (const a of end.addresses ?? []) if (!out.has(ipOf(a))) out.set(ipOf(a), end.node);
  }
  for (const n of doc.nodes ?? []) if (n.kind === 'bridge') for (const a of n.addresses ?? []) if (!out.has(ipOf(a))) out.set(ipOf(a), n.id);
  return out;
}

/** The NAT badges: every masquerade rule, then every port forward, with its target's name. */
function natBadges(doc: Doc, owners: ReadonlyMap<string, string>): { masquerade: string[]; forwards: string[] } {
  const host = (doc.nodes ?? []).find((n) => n.kind === 'host');
  const uplink = host?.kind === 'host' && host.uplink ? host.uplink : 'eth0';
  // The outgoing interface only when it is not the host's uplink (the default).
  const masquerade = (doc.nat?.masquerade ?? []).map((m) => `MASQ ${m.source}${m.out && m.out !== uplink ? ` out ${m.out}` : ''}`);
  const forwards = (doc.nat?.portForwards ?? []).map((f) => `${f.proto ?? 'tcp'} ${f.hostPort} -> ${owners.get(f.to) ?? f.to}:${f.toPort ?? f.hostPort}`);
  return { masquerade, forwards };
}

/**
 * The cables a probe's packets cross: the shortest path over the links from its source to the
 * node it targets (a node id, the node holding its address, else the internet node). A bridge
 * with addresses counts as joined to the host, as the kernel joins them.
 */
function probePaths(doc: Doc, probes: readonly ProbeResult[], owners: ReadonlyMap<string, string>): Map<ProbeResult, { links: string[]; to: string | undefined }> {
  const out = new Map<ProbeResult, { links: string[]; to: string | undefined }>();
  if (probes.length === 0) return out;
  const nodes = new Set((doc.nodes ?? []).map((n) => n.id));
  const adjacent = new Map<string, { node: string; link: string | null }[]>();
  const join = (x: string, y: string, link: string | null): void => {
    for (const [p, q] of [[x, y], [y, x]] as const) {
      const list = adjacent.get(p);
      if (list) list.push({ node: q, link });
      else adjacent.set(p, [{ node: q, link }]);
    }
  };
  for (const l of doc.links ?? []) if (nodes.has(l.a.node) && nodes.has(l.b.node)) join(l.a.node, l.b.node, l.id);
  const host = (doc.nodes ?? []).find((n) => n.kind === 'host');
  const internet = (doc.nodes ?? []).find((n) => n.kind === 'internet');
  if (host) for (const n of doc.nodes ?? []) if (n.kind === 'bridge' && (n.addresses ?? []).length > 0) join(n.id, host.id, null);
  // One breadth-first search per source, shared by its probes.
  const trees = new Map<string, Map<string, { from: string; link: string | null }>>();
  const treeOf = (from: string): Map<string, { from: string; link: string | null }> => {
    let tree = trees.get(from);
    if (tree) return tree;
    tree = new Map([[from, { from, link: null }]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      for (const next of adjacent.get(at) ?? []) {
        if (tree.has(next.node)) continue;
        tree.set(next.node, { from: at, link: next.link });
        queue.push(next.node);
      }
    }
    trees.set(from, tree);
    return tree;
  };
  for (const probe of probes) {
    const to = nodes.has(probe.to) ? probe.to : (owners.get(ipOf(probe.address)) ?? owners.get(probe.to) ?? internet?.id);
    const links: string[] = [];
    if (to !== undefined && nodes.has(probe.from)) {
      const tree = treeOf(probe.from);
      if (tree.has(to)) {
        for (let at = to; at !== probe.from; ) {
          const step = tree.get(at)!;
          if (step.link !== null) links.push(step.link);
          at = step.from;
        }
      }
    }
    out.set(probe, { links, to });
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
  const owners = ownerOfAddress(doc);
  // A probe paints its source node, every cable on its way, and the internet node when it goes there.
  const probeState = new Map<string, { pass: number; fail: number; lines: string[] }>();
  const mark = (id: string, probe: ProbeResult, explain: boolean): void => {
    const s = probeState.get(id) ?? { pass: 0, fail: 0, lines: [] };
    if (probe.result === 'pass') s.pass++;
    if (probe.result === 'fail') {
      s.fail++;
      if (explain) s.lines.push(`probe ${probe.id}: ${probe.from} → ${probe.to} (${probe.kind}) expected ${probe.expect}, observed ${probe.observed}${probe.cause ? `: ${probe.cause}` : ''}`);
    }
    probeState.set(id, s);
  };
  const internetIds = new Set((doc.nodes ?? []).filter((n) => n.kind === 'internet').map((n) => n.id));
  for (const [probe, path] of probePaths(doc, marks.probes, owners)) {
    mark(probe.from, probe, true);
    for (const link of path.links) mark(link, probe, true);
    if (path.to !== undefined && internetIds.has(path.to)) mark(path.to, probe, true);
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
    const drift = marks.drift?.get(id);
    if (drift) {
      classes.push(`drift-${drift.kind}`);
      lines.push(...drift.notes);
    }
    return { classes, tooltip: lines.join('\n') };
  };

  const addressesOf = new Map<string, string[]>();
  for (const l of doc.links ?? []) {
    for (const end of [l.a, l.b]) if ((end.addresses ?? []).length > 0) addressesOf.set(end.node, [...(addressesOf.get(end.node) ?? []), ...end.addresses!]);
  }
  const nat = natBadges(doc, owners);
  const nodes: CanvasNode[] = (doc.nodes ?? []).map((n, i) => {
    const kind = n.kind === 'namespace' && n.router ? 'router' : n.kind;
    const name = (n.kind === 'namespace' || n.kind === 'bridge') && n.name && n.name !== n.id ? `${n.id} (${n.name})` : n.id;
    // A bridge's addresses are its own (the host's on the segment): under its name. The others sit at their cable ends.
    const own = n.kind === 'bridge' ? (n.addresses ?? []) : n.kind === 'internet' && n.target ? [n.target] : [];
    const seen = marks.services?.get(n.id) ?? [];
    const services = n.kind === 'namespace' ? (n.services ?? []).map((sv) => ({ sv, state: seen.find((x) => x.id === sv.id) })) : [];
    const badges = n.kind === 'host' ? [...nat.masquerade, ...nat.forwards] : n.kind === 'internet' ? nat.forwards : services.map(({ sv, state }) => serviceBadge(sv.id, state));
    const addresses = [...own, ...(addressesOf.get(n.id) ?? [])];
    const marked = classesFor(n.id);
    // A service that ended says how: its status and the last lines of its output, on hover.
    for (const { sv, state } of services) {
      if (state?.state === 'exited' || state?.state === 'missing') {
        marked.classes.push('service-down');
        const tail = state.tail.trim();
        marked.tooltip = [marked.tooltip, `service ${sv.id}: ${serviceText(state)}${tail ? `; last output:\n${tail}` : ''}`].filter(Boolean).join('\n');
      }
    }
    const terms = [n.id, ...(name !== n.id && 'name' in n && n.name ? [n.name] : []), ...addresses, ...addresses.map(ipOf)];
    return {
      id: n.id,
      label: [name, ...own, ...badges].join('\n'),
      kind,
      position: n.position ?? { x: 100 + (i % 10) * 120, y: 100 + Math.floor(i / 10) * 120 },
      ...marked,
      badges,
      terms,
    };
  });
  for (const [i, note] of (doc.notes ?? []).entries()) {
    nodes.push({ id: note.id, label: note.text, kind: 'note', position: note.position ?? { x: 100 + i * 180, y: 40 }, classes: [], tooltip: '', badges: [], terms: [] });
  }
  const nodeIds = new Set(nodes.map((n) => n.id));
  const ifnames = interfaceNames(doc);
  // Cables that share both ends are marked `parallel` (drawn curved, apart); the others are straight.
  const pairKey = (l: { a: { node: string }; b: { node: string } }): string => (l.a.node < l.b.node ? `${l.a.node}\n${l.b.node}` : `${l.b.node}\n${l.a.node}`);
  const pairs = new Set<string>();
  const sharedPairs = new Set<string>();
  for (const l of doc.links ?? []) {
    const key = pairKey(l);
    if (pairs.has(key)) sharedPairs.add(key);
    else pairs.add(key);
  }
  const edges: CanvasEdge[] = [];
  for (const l of doc.links ?? []) {
    if (!nodeIds.has(l.a.node) || !nodeIds.has(l.b.node)) continue;
    const names = ifnames.get(l.id);
    const a = l.a.ifname ?? names?.a;
    const b = l.b.ifname ?? names?.b;
    const badge = linkNetemLabel(l);
    const label = [[a, b].filter((s): s is string => !!s).join(' ↔ '), badge].filter(Boolean).join('\n');
    const { classes, tooltip } = classesFor(l.id);
    if (badge) classes.push('impaired');
    if (sharedPairs.size > 0 && sharedPairs.has(pairKey(l))) classes.push('parallel');
    const end = (node: string, ifname: string | undefined, addresses: readonly string[] | undefined): string =>
      `${node}${ifname ? ` ${ifname}` : ''}${addresses && addresses.length > 0 ? ` ${addresses.join(', ')}` : ''}`;
    const ends = `${end(l.a.node, a, l.a.addresses)} ↔ ${end(l.b.node, b, l.b.addresses)}`;
    edges.push({
      id: l.id,
      source: l.a.node,
      target: l.b.node,
      label,
      sourceLabel: (l.a.addresses ?? []).join('\n'),
      targetLabel: (l.b.addresses ?? []).join('\n'),
      badge,
      classes,
      // Problems first: they are why one hovers.
      tooltip: tooltip ? `${tooltip}\n${ends}` : ends,
    });
  }
  return { nodes, edges };
}
