/**
 * The sandbox lab hosts as the target selector shows them: which exist, in what state, and what
 * occupies each (the labs deployed in it, from which drawing, since when), so a user sees whose lab host a target is
 * before deploying into it. Pure.
 */
import { DEFAULT_LAB_NAME, drawingOf, type LabState } from '../../shared/ipc/contract.js';

/** The lab hosts to offer: the default first, then by name; `updated` replaces its earlier state. */
export function withLabState(labs: readonly LabState[], updated: LabState): LabState[] {
  return sortLabs([...labs.filter((l) => l.name !== updated.name), updated]);
}

/** Default first, then by name. */
export function sortLabs(labs: readonly LabState[]): LabState[] {
  return [...labs].sort((a, b) => Number(b.name === DEFAULT_LAB_NAME) - Number(a.name === DEFAULT_LAB_NAME) || a.name.localeCompare(b.name));
}

/** What occupies the lab host, in a few words: "empty", or "in use: nat since 12:03:04, bridge". */
export function occupancySummary(state: LabState, time: (iso: string) => string): string | undefined {
  const o = state.occupancy;
  if (state.state !== 'healthy' || !o) return undefined;
  const parts = o.occupants.map((x) => `${x.lab}${x.since ? ` since ${time(x.since)}` : ''}`);
  if (o.untagged.length > 0) parts.push(`${o.untagged.length} namespace(s) not made by nsd`);
  return parts.length === 0 ? 'empty' : `in use: ${parts.join(', ')}`;
}

/** The target selector's label of lab host `name`: `sandbox lab host "nat-lab" (healthy, in use: nat since 12:03:04)`. */
export function labTargetLabel(name: string, state: LabState | undefined, time: (iso: string) => string): string {
  const what = name === DEFAULT_LAB_NAME ? 'local sandbox lab host' : `sandbox lab host "${name}"`;
  if (!state) return what;
  const occupied = occupancySummary(state, time);
  return `${what} (${state.state}${occupied ? `, ${occupied}` : ''})`;
}

/** A longer account for under the selector: each lab with its namespaces, and when the lab host was built. */
export function occupancyDetails(state: LabState, time: (iso: string) => string): string[] {
  const o = state.occupancy;
  if (state.state !== 'healthy' || !o) return [];
  const lines = [`Lab host "${state.name}"${state.createdAt ? `, up since ${time(state.createdAt)}` : ''}: ${o.occupants.length === 0 && o.untagged.length === 0 ? 'nothing deployed' : 'holds'}`];
  for (const x of o.occupants) lines.push(`lab ${x.lab}${drawingOf(x)}: namespaces ${x.namespaces.join(', ')}${x.since ? `; since ${time(x.since)}` : ''}`);
  if (o.untagged.length > 0) lines.push(`not made by nsd: ${o.untagged.join(', ')}`);
  return lines;
}
