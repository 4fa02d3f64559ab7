/**
 * Link impairments (netem): the ranges are the schema's; here what needs more than one field or
 * the link's kind: jitter needs a delay, a rate is whole kbit/s, and the Internet link (the
 * host's uplink, not a cable the lab makes) takes none.
 */
import type { Netem } from '../../model/topology.js';
import { report, type Context } from './context.js';

/** Reports what is wrong with the impairments of each link and of each of its ends. */
export function checkNetem(ctx: Context): void {
  ctx.r.doc.links.forEach((link, index) => {
    if (!link.netem && !link.a.netem && !link.b.netem) return;
    const base = `links[${index}]`;
    const places: Array<[string, Netem | undefined]> = [
      [base, link.netem],
      [`${base}.a`, link.a.netem],
      [`${base}.b`, link.b.netem],
    ];
    const internet = [link.a, link.b].some((e) => ctx.r.nodes.get(e.node)?.kind === 'internet');
    for (const [at, n] of places) {
      if (!n) continue;
      const path = `${at}.netem`;
      if (internet) {
        report(ctx, 'error', link.id, path, "a link to the Internet node is the host's uplink, which the lab does not make; impairments apply to the lab's own links: remove netem here");
        continue;
      }
      if (n.jitterMs !== undefined && n.jitterMs > 0 && !(n.delayMs! > 0)) {
        report(ctx, 'error', link.id, `${path}.jitterMs`, `jitter of ${n.jitterMs} ms varies a delay, and there is none: set delayMs (at least ${n.jitterMs}), or remove jitterMs`);
      } else if (n.jitterMs! > n.delayMs!) {
        report(ctx, 'warning', link.id, `${path}.jitterMs`, `jitter of ${n.jitterMs} ms is more than the delay of ${n.delayMs} ms, so packets overtake each other (reordering): lower jitterMs to at most ${n.delayMs}, unless that is what you want`);
      }
      if (n.rateMbit !== undefined && Math.abs(n.rateMbit * 1000 - Math.round(n.rateMbit * 1000)) > 1e-6) {
        report(ctx, 'error', link.id, `${path}.rateMbit`, `rate ${n.rateMbit} Mbit/s is not a whole number of kbit/s; round it to 3 decimals (${Math.round(n.rateMbit * 1000) / 1000})`);
      }
      if (n.rateMbit !== undefined && n.rateMbit > 0 && n.rateMbit < 0.008) {
        report(ctx, 'error', link.id, `${path}.rateMbit`, `rate ${n.rateMbit} Mbit/s is less than one byte per millisecond; use at least 0.008 (8 kbit/s)`);
      }
    }
  });
}
