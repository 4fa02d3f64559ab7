/**
 * Services: each namespace's service ids are unique within it, because the id names the
 * service's files on the host ($NSD_STATE/services/NAMESPACE/ID.log) and its line in the record.
 */
import { report, type Context } from './context.js';

/** Reports a service id used twice on one node. */
export function checkServices(ctx: Context): void {
  ctx.r.doc.nodes.forEach((n, i) => {
    // One service or none cannot repeat an id (a large lab has thousands of namespaces without services).
    if (n.kind !== 'namespace' || n.services.length < 2) return;
    const seen = new Map<string, number>();
    n.services.forEach((s, j) => {
      const first = seen.get(s.id);
      if (first !== undefined) report(ctx, 'error', n.id, `nodes[${i}].services[${j}].id`, `service id "${s.id}" is already used by services[${first}] of ${n.id}; give each service of a node its own id`);
      else seen.set(s.id, j);
    });
  });
}
