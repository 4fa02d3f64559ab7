/**
 * Drift on the canvas: the report of an inspect run (its standard output), turned into the drift
 * of each element of the drawing and the live facts the probe diagnosis uses. Pure, tested under Node.
 */
import type { Doc } from '../../shared/document/commands.js';
import { elementDrift, liveFacts, parseInspect, type ElementDrift, type InspectReport, type ServiceState } from '../../shared/deploy/inspect.js';
import type { LiveFacts } from '../../shared/deploy/diagnose.js';
import type { RunView } from './run.js';

/** The report of a finished inspect run, or null (another action, not finished, or no report). */
export function inspectOfRun(view: RunView | null): InspectReport | null {
  if (!view || view.action !== 'inspect' || !view.finished?.ok) return null;
  try {
    return parseInspect(view.lines.filter((l) => l.stream === 'stdout').map((l) => l.text).find((t) => t.startsWith('{')) ?? '');
  } catch {
    return null;
  }
}

/** What the canvas paints and the diagnosis uses, for the elements of this drawing. */
export function driftOnDrawing(report: InspectReport, doc: Doc): { drift: Map<string, ElementDrift>; live: LiveFacts; services: Map<string, ServiceState[]> } {
  const ids = new Set([...(doc.nodes ?? []).map((n) => n.id), ...(doc.links ?? []).map((l) => l.id)]);
  const drift = new Map([...elementDrift(report)].filter(([id]) => ids.has(id)));
  return { drift, live: liveFacts(report, doc.links ?? []), services: servicesOnDrawing(report, doc) };
}

/** The services inspect saw, by the id of the drawing's namespace node they run in (its namespace name, or its id). */
export function servicesOnDrawing(report: InspectReport, doc: Doc): Map<string, ServiceState[]> {
  const nodeOf = new Map<string, string>();
  for (const n of doc.nodes ?? []) if (n.kind === 'namespace') nodeOf.set(n.name ?? n.id, n.id);
  const out = new Map<string, ServiceState[]>();
  for (const sv of report.services) {
    const node = nodeOf.get(sv.netns);
    if (node !== undefined) out.set(node, [...(out.get(node) ?? []), sv]);
  }
  return out;
}
