/**
 * What linking the host to the Internet node proposes, as the tutorial's step 7 does next:
 * masquerade for every IPv4 subnet the host has an address on (out of the host's uplink), and a
 * name server for each namespace whose default route goes through the host (the host's own
 * 127.0.0.53 stub is out of a namespace's reach). Rules and servers already there stay; one
 * undo step takes the link and the proposals back.
 */
import { formatIp } from '../../model/net.js';
import { SUGGESTED_DNS } from '../../model/topology.js';
import { isDefaultRoute } from '../../model/routes.js';
import { subnetOf, subnetString } from '../addresses.js';
import { uniqueId } from '../names.js';
import { elementIds, resolveDocument } from '../view.js';
import type { Doc } from './common.js';

export function proposeInternetAccess(doc: Doc): Doc {
  const host = (doc.nodes ?? []).find((n) => n.kind === 'host');
  if (!host) return doc;
  const r = resolveDocument(doc);
  const own = r.segments.flatMap((s) => s.members.filter((m) => m.netns === null).map((m) => ({ segment: s.label, addresses: m.addresses })));
  const masquerade = [...(doc.nat?.masquerade ?? [])];
  const ids = elementIds(doc);
  for (const { segment, addresses } of own) {
    for (const c of addresses) {
      if (c.family !== 4) continue;
      const source = subnetString(subnetOf(c));
      if (masquerade.some((m) => m.source === source)) continue;
      const id = uniqueId(`masq-${segment}`, ids);
      ids.add(id);
      masquerade.push({ id, source, ...(typeof host.uplink === 'string' ? { out: host.uplink } : {}) });
    }
  }
  const gateways = new Set(own.flatMap((o) => o.addresses.map((c) => formatIp(c.family, c.value))));
  const nodes = (doc.nodes ?? []).map((n) => {
    if (n.kind !== 'namespace' || (n.dns ?? []).length > 0) return n;
    const routed = (n.routes ?? []).some((route) => route.via !== undefined && gateways.has(route.via) && isDefaultRoute(route.to));
    return routed ? { ...n, dns: [SUGGESTED_DNS] } : n;
  });
  const natChanged = masquerade.length !== (doc.nat?.masquerade ?? []).length;
  const dnsChanged = nodes.some((n, i) => n !== doc.nodes![i]);
  if (!natChanged && !dnsChanged) return doc;
  return { ...doc, ...(dnsChanged ? { nodes } : {}), ...(natChanged ? { nat: { ...doc.nat, masquerade } } : {}) };
}
