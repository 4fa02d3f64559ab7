/**
 * Probes: they run in a namespace or on the host, aim at a node with an address or at an IP
 * address, and a port goes with tcp only.
 */
import { parseIp } from '../../model/net.js';
import { hasAddress } from '../../model/resolve.js';
import { quote } from './format.js';
import { report, type Context } from './context.js';

/** Reports probes that cannot run or aim at nothing. */
export function checkProbes(ctx: Context): void {
  const { r } = ctx;
  r.doc.probes.forEach((probe, i) => {
    const base = `probes[${i}]`;
    const from = r.nodes.get(probe.from);
    if (!from) report(ctx, 'error', probe.id, `${base}.from`, `node "${probe.from}" does not exist; run the probe from a namespace or the host`);
    else if (from.kind !== 'namespace' && from.kind !== 'host') {
      report(ctx, 'error', probe.id, `${base}.from`, `probes run in a namespace or on the host, and ${from.id} is a ${from.kind} node; pick a namespace or the host`);
    }
    const to = r.nodes.get(probe.to);
    if (to && !hasAddress(r, to)) report(ctx, 'error', probe.id, `${base}.to`, `node ${to.id} has no address to probe; give it an address or write an IP address instead`);
    else if (!to && !parseIp(probe.to)) report(ctx, 'error', probe.id, `${base}.to`, `${quote(probe.to)} is neither a node id nor an IP address; write a node id or an address like 192.168.15.2`);
    if (probe.kind === 'tcp' && probe.port === undefined) report(ctx, 'error', probe.id, `${base}.port`, 'a tcp probe needs a port; add "port", e.g. 80');
    if (probe.kind === 'ping' && probe.port !== undefined) report(ctx, 'error', probe.id, `${base}.port`, 'a ping probe takes no port; remove "port" or use "kind": "tcp"');
  });
}
