/**
 * What occupies a sandbox lab host: the topologies deployed in it, found by the tag lab.sh puts
 * on the `lo` of each namespace it makes (`nsd:LAB`, see the compiler's plan), with the time the
 * oldest of their namespaces was made and the drawing each came from (its file and title, from
 * the about file lab.sh keeps in the lab's state directory). A script lists them inside the lab
 * host; this module reads its output. Pure: lab-host.ts runs the script.
 */
import { DEFAULT_STATE_DIR } from '../../shared/compiler/render-bash.js';
import { drawingOf, type LabOccupancy, type LabOccupant } from '../../shared/ipc/contract.js';

/** The tag lab.sh gives everything of lab LAB starts with this. */
const TAG_PREFIX = 'nsd:';

/** Starts a line of a lab's about file in OCCUPANCY_SCRIPT's output: no namespace name holds a "/". */
const ABOUT_MARK = '/about';

/**
 * Bash run inside the lab host: one line per network namespace, "NAME<TAB>MTIME<TAB>JSON" with
 * the time its /run/netns entry was made (seconds) and `ip -j link show lo` of it; then each line
 * of each lab's about file (lab.sh's nsd_about: KEY=VALUE) as "/about<TAB>LAB<TAB>KEY=VALUE".
 */
export const OCCUPANCY_SCRIPT = [
  'ip netns list | while read -r ns _; do',
  '  [ -n "$ns" ] || continue',
  `  printf '%s\\t%s\\t%s\\n' "$ns" "$(stat -c %Y "/run/netns/$ns" 2>/dev/null)" "$(ip -n "$ns" -j link show lo 2>/dev/null | tr -d '\\n')"`,
  'done',
  `for about in ${DEFAULT_STATE_DIR}/*/about; do`,
  '  [ -r "$about" ] || continue',
  '  lab=${about%/about}',
  `  while IFS= read -r line; do printf '${ABOUT_MARK}\\t%s\\t%s\\n' "\${lab##*/}" "$line"; done <"$about"`,
  'done',
].join('\n');

/** The drawing a lab came from, as its about file names it: the file it was compiled from, and its title. */
function aboutOf(lines: readonly string[]): Pick<LabOccupant, 'drawing' | 'title'> {
  const out: Pick<LabOccupant, 'drawing' | 'title'> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    if (eq <= 0 || value === '') continue;
    if (key === 'source') out.drawing = value;
    if (key === 'title') out.title = value;
  }
  return out;
}

/** Reads OCCUPANCY_SCRIPT's output: labs by name (oldest namespace first), and namespaces no lab tagged. */
export function parseOccupancy(output: string): LabOccupancy {
  const labs = new Map<string, LabOccupant>();
  const untagged: string[] = [];
  const abouts = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    if (line.startsWith(`${ABOUT_MARK}\t`)) {
      const rest = line.slice(ABOUT_MARK.length + 1);
      const tab = rest.indexOf('\t');
      if (tab <= 0) continue;
      const lab = rest.slice(0, tab);
      abouts.set(lab, [...(abouts.get(lab) ?? []), rest.slice(tab + 1)]);
      continue;
    }
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
  const occupants = [...labs.values()].map((o) => ({ ...o, namespaces: [...o.namespaces].sort(), ...aboutOf(abouts.get(o.lab) ?? []) }));
  occupants.sort((a, b) => (a.since ?? '').localeCompare(b.since ?? '') || a.lab.localeCompare(b.lab));
  return { occupants, untagged: untagged.sort() };
}

/** How `nsd lab status` prints what a lab host holds: one line per lab, then namespaces no lab made. */
export function formatOccupancy(o: LabOccupancy): string {
  if (o.occupants.length === 0 && o.untagged.length === 0) return '  holds       nothing deployed\n';
  const lines = o.occupants.map((x, i) => `  ${i === 0 ? 'holds      ' : '           '} lab ${x.lab}${drawingOf(x)}: ${x.namespaces.join(', ')}${x.since ? ` (since ${x.since})` : ''}`);
  if (o.untagged.length > 0) lines.push(`  not by nsd  ${o.untagged.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
