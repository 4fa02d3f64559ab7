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
  // Where each id was first seen, written out only for a message.
  const seen = new Map<string, { what: string; key: string; index: number }>();
  for (const [key, what, list] of collections) {
    list.forEach((item, i) => {
      const first = seen.get(item.id);
      if (first) report(ctx, 'error', item.id, `${key}[${i}].id`, `id "${item.id}" is already used by the ${first.what} at ${first.key}[${first.index}]; give every element its own id`);
      else seen.set(item.id, { what, key, index: i });
    });
  }
  let firstHost: string | undefined;
  doc.nodes.forEach((n, i) => {
    if (n.kind !== 'host') return;
    if (firstHost === undefined) firstHost = n.id;
    else report(ctx, 'error', n.id, `nodes[${i}].kind`, `only one Host node is allowed and ${firstHost} already is one; remove this one`);
  });
}
