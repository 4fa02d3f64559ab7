/**
 * The drawing that acts on a lab's record alone: no nodes, no links, only the lab's name. Its
 * `down` removes everything the record on the host names (nsd destroy --lab, and Destroy in the
 * designer while the drawing has errors), its `inspect` lists all of it as extra, and `labs`
 * reads every record.
 */
export function recordOnlyDocument(lab: string): { version: 1; name: string; nodes: []; links: [] } {
  return { version: 1, name: lab, nodes: [], links: [] };
}
