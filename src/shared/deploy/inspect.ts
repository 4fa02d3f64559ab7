/**
 * What `lab.sh inspect` prints, as one zod schema that nsd and the designer both parse, and
 * the pure judgements made from it: which parts of the drawing are present, missing or
 * different on the host, which links are down, what the record has beyond the drawing, and
 * the drift of each element of the drawing. Browser-safe.
 */
import { z } from 'zod';
import type { LiveFacts } from './diagnose.js';
import { netemDifferences, netemFromTc, parseNetemArgs } from '../compiler/netem.js';

export const INSPECT_STATES = ['present', 'missing', 'different'] as const;
export type InspectState = (typeof INSPECT_STATES)[number];

/** One line of the lab's record (what the drawing wants, or what the record has beyond it), checked on the host. */
export const InspectItemSchema = z.object({
  line: z.string(),
  /** The drawing's element the line belongs to; `lab` for the lab as a whole. */
  element: z.string(),
  state: z.enum(INSPECT_STATES),
  /** How it differs, for `different`. */
  note: z.string(),
});
export type InspectItem = z.infer<typeof InspectItemSchema>;

/** An interface as `ip -j link show` prints it (the fields used here; the rest passes through). */
export const IpLinkSchema = z.looseObject({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  operstate: z.string().optional(),
  mtu: z.number().optional(),
  master: z.string().optional(),
  ifalias: z.string().optional(),
});
export type IpLink = z.infer<typeof IpLinkSchema>;

export const IpAddrSchema = z.looseObject({
  ifname: z.string(),
  addr_info: z.array(z.looseObject({ family: z.string(), local: z.string(), prefixlen: z.number() })).default([]),
});

export const IpRouteSchema = z.looseObject({ dst: z.string(), gateway: z.string().optional(), dev: z.string().optional(), metric: z.number().optional() });

export const QdiscSchema = z.looseObject({ kind: z.string(), dev: z.string(), handle: z.string().optional(), root: z.boolean().optional(), options: z.unknown().optional() });

/** What ip -j, tc -j and ip netns pids show in one namespace (or in the host). */
const DumpShape = {
  links: z.array(IpLinkSchema),
  addrs: z.array(IpAddrSchema),
  routes: z.array(IpRouteSchema),
  routes6: z.array(IpRouteSchema),
  qdiscs: z.array(QdiscSchema),
  pids: z.array(z.object({ pid: z.number(), comm: z.string() })),
};

export const SERVICE_STATES = ['running', 'exited', 'missing'] as const;

/** A service of the lab: running (pid), exited on its own (exit status) or missing, with the last lines of its output. */
export const ServiceStateSchema = z.object({
  netns: z.string(),
  id: z.string(),
  state: z.enum(SERVICE_STATES),
  pid: z.number().nullable(),
  exit: z.number().nullable(),
  tail: z.string(),
});
export type ServiceState = z.infer<typeof ServiceStateSchema>;

/** A service's state in a few words: `running (pid 42)`, `exited 3`, `not running`. */
export function serviceText(sv: ServiceState): string {
  if (sv.state === 'running') return `running (pid ${sv.pid ?? '?'})`;
  if (sv.state === 'exited') return `exited ${sv.exit ?? '?'}`;
  return 'not running';
}

export const InspectReportSchema = z.object({
  lab: z.string(),
  tag: z.string(),
  want: z.array(InspectItemSchema),
  extra: z.array(InspectItemSchema),
  namespaces: z.array(z.object({ name: z.string(), ...DumpShape })),
  host: z.object(DumpShape),
  /** Each service the drawing or the record names, as its process is on the host. */
  services: z.array(ServiceStateSchema).default([]),
  chains: z.array(z.object({ iptables: z.string(), table: z.string(), parent: z.string(), chain: z.string(), rules: z.array(z.string()) })),
});
export type InspectReport = z.infer<typeof InspectReportSchema>;

/** Parses what `lab.sh inspect` printed; throws an Error that says what is wrong. */
export function parseInspect(text: string): InspectReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`lab.sh inspect printed no JSON: ${(e as Error).message}`);
  }
  const parsed = InspectReportSchema.safeParse(json);
  if (!parsed.success) throw new Error(`lab.sh inspect printed JSON of another shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return judgeQdiscs(parsed.data);
}

/**
 * lab.sh says a qdisc line is present when its interface has a root netem; its figures are
 * compared here, from the `tc -j` dumps (tc prints times and rates in its own units, which bash
 * cannot compare): one with other figures is `different`, the note says which.
 */
export function judgeQdiscs(report: InspectReport): InspectReport {
  const judge = (item: InspectItem): InspectItem => {
    if (item.state !== 'present' || !item.line.startsWith('qdisc ')) return item;
    const [, where, dev, ...words] = item.line.split(' ');
    const qdiscs = where === '-' ? report.host.qdiscs : report.namespaces.find((n) => n.name === where)?.qdiscs;
    const live = qdiscs?.find((q) => q.dev === dev && q.kind === 'netem' && q.root !== false);
    if (!live) return item;
    const differences = netemDifferences(parseNetemArgs(words), netemFromTc(live.options));
    return differences.length === 0 ? item : { ...item, state: 'different', note: differences.join('; ') };
  };
  return { ...report, want: report.want.map(judge), extra: report.extra.map(judge) };
}

/** One end of a link on the host, as inspect saw it. */
export interface LinkEnd {
  name: string;
  /** The namespace, or null for the host. */
  netns: string | null;
  operstate: string;
  adminUp: boolean;
}

/** A link of the drawing whose interfaces exist but is not up: an end set down, or its peer down. */
export interface DownLink {
  element: string;
  ends: LinkEnd[];
  /** A sentence naming the end(s) that are down. */
  why: string;
}

function linkIn(report: InspectReport, netns: string | null, name: string): IpLink | undefined {
  const links = netns === null ? report.host.links : report.namespaces.find((n) => n.name === netns)?.links;
  return links?.find((l) => l.ifname === name);
}

/** The links (veth pairs) of the drawing that exist but are down, from the `ip -j link` dumps. */
export function downLinks(report: InspectReport): DownLink[] {
  const out: DownLink[] = [];
  for (const item of report.want) {
    if (item.state === 'missing') continue;
    const w = item.line.split(' ');
    if (w[0] !== 'veth') continue;
    const ends: LinkEnd[] = [];
    for (const [name, where] of [
      [w[1]!, w[2]!],
      [w[4]!, w[5]!],
    ] as const) {
      const netns = where === '-' ? null : where;
      const link = linkIn(report, netns, name);
      if (link) ends.push({ name, netns, operstate: link.operstate ?? 'UNKNOWN', adminUp: link.flags.includes('UP') });
    }
    const down = ends.filter((e) => !e.adminUp || e.operstate === 'DOWN' || e.operstate === 'LOWERLAYERDOWN');
    if (down.length === 0) continue;
    // An end set down makes its peer LOWERLAYERDOWN: name the one that was set down when there is one.
    const culprits = down.some((e) => !e.adminUp) ? down.filter((e) => !e.adminUp) : down;
    const why = culprits.map((e) => `${e.name} ${e.netns === null ? 'in the host' : `in ${e.netns}`} is ${e.adminUp ? e.operstate : 'set down'}`).join(', ');
    out.push({ element: item.element, ends, why });
  }
  return out;
}

/** How an element of the drawing differs from the host, worst first. */
export const DRIFT_KINDS = ['missing', 'down', 'different', 'extra'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface ElementDrift {
  kind: DriftKind;
  /** One sentence per finding, for tooltips and the run view. */
  notes: string[];
}

/**
 * The drift of each element of the drawing (by id): missing (a part the drawing wants is not on
 * the host), down (a link), different (there, but not as drawn) or extra (the host still has a
 * part of it the drawing no longer has). Elements without drift are absent; `lab` is the lab as a whole.
 */
export function elementDrift(report: InspectReport): Map<string, ElementDrift> {
  const drift = new Map<string, ElementDrift>();
  const add = (element: string, kind: DriftKind, note: string): void => {
    const d = drift.get(element);
    if (!d) {
      drift.set(element, { kind, notes: [note] });
      return;
    }
    if (DRIFT_KINDS.indexOf(kind) < DRIFT_KINDS.indexOf(d.kind)) d.kind = kind;
    d.notes.push(note);
  };
  for (const item of report.want) {
    if (item.state === 'missing') add(item.element, 'missing', `missing on the host: ${item.line}`);
    else if (item.state === 'different') add(item.element, 'different', `${item.line}: ${item.note}`);
  }
  for (const d of downLinks(report)) add(d.element, 'down', `link down: ${d.why}`);
  for (const item of report.extra) {
    if (item.state !== 'missing') add(item.element, 'extra', `on the host but not in the drawing: ${item.line}`);
  }
  return drift;
}

/** A summary for people: counts, then one line per finding and the processes in the lab's namespaces. */
export function inspectSummary(report: InspectReport): string[] {
  const count = (s: InspectState) => report.want.filter((i) => i.state === s).length;
  const extra = report.extra.filter((i) => i.state !== 'missing');
  const down = downLinks(report);
  const lines = [
    `lab ${report.lab}: ${count('present')} of ${report.want.length} parts present, ${count('missing')} missing, ${count('different')} different, ${down.length} link(s) down, ${extra.length} extra`,
  ];
  for (const i of report.want) {
    if (i.state === 'missing') lines.push(`missing    ${i.line}  [${i.element}]`);
    else if (i.state === 'different') lines.push(`different  ${i.line}  [${i.element}]: ${i.note}`);
  }
  for (const d of down) lines.push(`down       link ${d.element}: ${d.why}`);
  for (const i of extra) lines.push(`extra      ${i.line}  [${i.element}]`);
  for (const ns of report.namespaces) {
    if (ns.pids.length > 0) lines.push(`processes  ${ns.name}: ${ns.pids.map((p) => `${p.comm} (${p.pid})`).join(', ')}`);
  }
  for (const sv of report.services) lines.push(`service    ${sv.netns}/${sv.id}: ${serviceText(sv)}`);
  return lines;
}

/** The links of the drawing that inspect saw down, with the nodes at their ends (from the drawing), for diagnose(). */
export function liveFacts(report: InspectReport, links: ReadonlyArray<{ id: string; a: { node: string }; b: { node: string } }>): LiveFacts {
  return {
    downLinks: downLinks(report).map((d) => {
      const link = links.find((l) => l.id === d.element);
      return { link: d.element, nodes: link ? [link.a.node, link.b.node] : [], why: d.why };
    }),
  };
}
