/**
 * Ids: one id space for nodes, links, NAT rules, probes and notes; one Host node.
 */
import { report, type Context } from './context.js';

/** Reports ids used twice and a second Host node. */
export function checkIds(ctx: Context): void {
  const { doc } = ctx.r;
  const collections: [string, string, { id: string }[]][] = [
    ['nodes', 'node', doc.nodes],
    ['links', 'link', doc.links],
    ['nat.masquerade', 'masquerade rule', doc.nat.masquerade],
    ['nat.portForwards', 'port forward', doc.nat.portForwards],
    ['probes', 'probe', doc.probes],
    ['notes', 'note', doc.notes],
  ];
  // Where each id was first seen, as one number (index * collections + collection): no object per element.
  const seen = new Map<string, number>();
  const count = collections.length;
  collections.forEach(([key, , list], c) => {
    list.forEach((item, i) => {
      const first = seen.get(item.id);
      if (first === undefined) {
        seen.set(item.id, i * count + c);
        return;
      }
      const [firstKey, firstWhat] = collections[first % count]!;
      report(ctx, 'error', item.id, `${key}[${i}].id`, `id "${item.id}" is already used by the ${firstWhat} at ${firstKey}[${Math.floor(first / count)}]; give every element its own id`);
    });
  });
  let firstHost: string | undefined;
  doc.nodes.forEach((n, i) => {
    if (n.kind !== 'host') return;
    if (firstHost === undefined) firstHost = n.id;
    else report(ctx, 'error', n.id, `nodes[${i}].kind`, `only one Host node is allowed and ${firstHost} already is one; remove this one`);
  });
}
