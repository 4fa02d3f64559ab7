/**
 * What occupies a sandbox lab host: the topologies deployed in it, found by the tag lab.sh puts
 * on the `lo` of each namespace it makes (`nsd:LAB`, see the compiler's plan), with the time the
 * oldest of their namespaces was made. A script lists the namespaces inside the lab host; this
 * module reads its output. Pure: lab-host.ts runs the script.
 */
import type { LabOccupancy, LabOccupant } from '../../shared/ipc/contract.js';

/** The tag lab.sh gives everything of lab LAB starts with this. */
const TAG_PREFIX = 'nsd:';

/**
 * Bash run inside the lab host: one line per network namespace, "NAME<TAB>MTIME<TAB>JSON" with
 * the time its /run/netns entry was made (seconds) and `ip -j link show lo` of it.
 */
export const OCCUPANCY_SCRIPT = [
  'ip netns list | while read -r ns _; do',
  '  [ -n "$ns" ] || continue',
  `  printf '%s\\t%s\\t%s\\n' "$ns" "$(stat -c %Y "/run/netns/$ns" 2>/dev/null)" "$(ip -n "$ns" -j link show lo 2>/dev/null | tr -d '\\n')"`,
  'done',
].join('\n');

/** Reads OCCUPANCY_SCRIPT's output: labs by name (oldest namespace first), and namespaces no lab tagged. */
export function parseOccupancy(output: string): LabOccupancy {
  const labs = new Map<string, LabOccupant>();
  const untagged: string[] = [];
  for (const line of output.split('\n')) {
    const [ns, mtime, json] = line.split('\t');
    if (!ns) continue;
    let alias: string | undefined;
    try {
      alias = (JSON.parse(json ?? '') as { ifalias?: string }[])[0]?.ifalias;
    } catch {
      // no lo to read: the namespace is not a lab's
    }
    const lab = alias?.startsWith(TAG_PREFIX) ? alias.slice(TAG_PREFIX.length) : undefined;
    if (!lab) {
      untagged.push(ns);
      continue;
    }
    const seconds = Number(mtime);
    const since = mtime && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : undefined;
    const known = labs.get(lab);
    if (!known) {
      labs.set(lab, { lab, namespaces: [ns], ...(since ? { since } : {}) });
      continue;
    }
    known.namespaces.push(ns);
    if (since && (!known.since || since < known.since)) known.since = since;
  }
  const occupants = [...labs.values()].map((o) => ({ ...o, namespaces: [...o.namespaces].sort() }));
  occupants.sort((a, b) => (a.since ?? '').localeCompare(b.since ?? '') || a.lab.localeCompare(b.lab));
  return { occupants, untagged: untagged.sort() };
}

/** How `nsd lab status` prints what a lab host holds: one line per lab, then namespaces no lab made. */
export function formatOccupancy(o: LabOccupancy): string {
  if (o.occupants.length === 0 && o.untagged.length === 0) return '  holds       nothing deployed\n';
  const lines = o.occupants.map((x, i) => `  ${i === 0 ? 'holds      ' : '           '} lab ${x.lab}: ${x.namespaces.join(', ')}${x.since ? ` (since ${x.since})` : ''}`);
  if (o.untagged.length > 0) lines.push(`  not by nsd  ${o.untagged.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
