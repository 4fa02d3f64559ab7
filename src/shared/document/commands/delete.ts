/**
 * delete, and what goes with the deleted elements.
 */
import { ipKey, parseCidr, parseIp, type Cidr } from '../../model/net.js';
import { inSubnet, subnetOf } from '../addresses.js';
import { resolveDocument, type LinkInput, type NodeInput } from '../view.js';
import { filterShared, mapShared, nodeHasAddress, routeCheck, type CommandResult, type Doc, type Removal } from './common.js';

/**
 * Removes the elements and everything that only made sense with them: links touching removed
 * nodes; probes from or to removed nodes, to removed addresses or to a node left without any
 * address; port forwards to removed addresses; masquerade rules whose subnet lost its last
 * address; and routes of the remaining nodes that worked before and no longer do (their `dev`
 * went, or their gateway is no longer owned by anything on a connected segment). NAT rules stay
 * when the host or the Internet node goes: the validator then says what they need.
 * `alsoRemoved` lists what went without being asked for, so the editor can say so (describeRemoval).
 */
export function remove(doc: Doc, ids: readonly string[]): CommandResult {
  const gone = new Set(ids);
  const removedNodes = new Set((doc.nodes ?? []).filter((n) => gone.has(n.id)).map((n) => n.id));
  const linkGone = (l: LinkInput) => gone.has(l.id) || removedNodes.has(l.a.node) || removedNodes.has(l.b.node);
  if (![doc.nodes, doc.links, doc.notes, doc.probes, doc.nat?.masquerade, doc.nat?.portForwards].some((list) => list?.some((x) => gone.has(x.id)))) {
    return { doc, selection: [] };
  }

  const before = resolveDocument(doc);
  const removedAddresses: Cidr[] = [];
  for (const rl of before.links) if (linkGone(rl.link)) for (const i of [rl.a, rl.b]) if (i) removedAddresses.push(...i.addresses);
  for (const dev of before.bridges) if (removedNodes.has(dev.element)) removedAddresses.push(...dev.addresses);

  const keptNodes = filterShared(doc.nodes, (n) => !removedNodes.has(n.id));
  const keptLinks = filterShared(doc.links, (l) => !linkGone(l));
  const after = resolveDocument({ ...doc, nodes: keptNodes ?? [], links: keptLinks ?? [] });
  const remaining = new Set(after.ifaces.flatMap((i) => i.addresses.map((c) => ipKey(c.family, c.value))));
  const vanished = new Set(removedAddresses.map((c) => ipKey(c.family, c.value)).filter((k) => !remaining.has(k)));
  const ipVanished = (text: string) => {
    const ip = parseIp(text);
    return ip !== undefined && vanished.has(ipKey(ip.family, ip.value));
  };

  // Only routes this delete broke go; a route that was already broken is the user's to fix.
  const [worksBefore, worksAfter] = [routeCheck(before), routeCheck(after)];
  const alsoRemoved: Removal[] = [];
  for (const l of doc.links ?? []) if (linkGone(l) && !gone.has(l.id)) alsoRemoved.push({ kind: 'link', id: l.id, text: l.id });
  const nodes = mapShared(keptNodes, (n) => {
    if ((n.kind !== 'namespace' && n.kind !== 'host') || !n.routes) return n;
    const routes = filterShared(n.routes, (route) => {
      const keep = !worksBefore(n.id, route) || worksAfter(n.id, route);
      if (!keep) alsoRemoved.push({ kind: 'route', id: n.id, text: [route.to, ...(route.via ? ['via', route.via] : []), ...(route.dev ? ['dev', route.dev] : [])].join(' ') });
      return keep;
    });
    return routes === n.routes ? n : ({ ...n, routes } as NodeInput);
  });
  // A probe to a node that no longer has any address has nothing to aim at.
  const unaddressed = (id: string) => nodeHasAddress(before, id) && !nodeHasAddress(after, id);
  const probes = filterShared(doc.probes, (p) => {
    if (gone.has(p.id)) return false;
    const keep = !removedNodes.has(p.from) && !removedNodes.has(p.to) && !ipVanished(p.to) && !unaddressed(p.to);
    if (!keep) alsoRemoved.push({ kind: 'probe', id: p.id, text: `${p.id} (${p.from} -> ${p.to})` });
    return keep;
  });
  let nat = doc.nat;
  if (nat) {
    const masquerade = filterShared(nat.masquerade, (m) => {
      if (gone.has(m.id)) return false;
      const source = parseCidr(m.source);
      if (!source) return true;
      const s = subnetOf(source);
      const emptied = removedAddresses.some((c) => inSubnet(s, c.family, c.value));
      const keep = !emptied || after.ifaces.some((i) => i.addresses.some((c) => inSubnet(s, c.family, c.value)));
      if (!keep) alsoRemoved.push({ kind: 'masquerade', id: m.id, text: m.source });
      return keep;
    });
    const portForwards = filterShared(nat.portForwards, (p) => {
      if (gone.has(p.id)) return false;
      const keep = !ipVanished(p.to);
      if (!keep) alsoRemoved.push({ kind: 'portForward', id: p.id, text: `${p.proto ?? 'tcp'} ${p.hostPort} -> ${p.to}:${p.toPort ?? p.hostPort}` });
      return keep;
    });
    if (masquerade !== nat.masquerade || portForwards !== nat.portForwards) nat = { ...nat, ...(masquerade ? { masquerade } : {}), ...(portForwards ? { portForwards } : {}) };
  }
  const notes = filterShared(doc.notes, (n) => !gone.has(n.id));
  const next: Doc = { ...doc };
  if (nodes) next.nodes = nodes;
  if (keptLinks) next.links = keptLinks;
  if (probes) next.probes = probes;
  if (notes) next.notes = notes;
  if (nat) next.nat = nat;
  return { doc: next, selection: [], alsoRemoved };
}

const REMOVAL_NAMES: Record<Removal['kind'], [string, string]> = {
  link: ['link', 'links'],
  route: ['route', 'routes'],
  masquerade: ['masquerade rule', 'masquerade rules'],
  portForward: ['port forward', 'port forwards'],
  probe: ['probe', 'probes'],
};

/**
 * One sentence for what a delete removed besides the selection, grouped by kind:
 * `Also removed: 2 links (red-vnet0, blue-vnet0); masquerade rule 192.168.15.0/24; 2 routes
 * (red: default via 192.168.15.5, blue: default via 192.168.15.5).` Empty when nothing else went.
 */
export function describeRemoval(removed: readonly Removal[]): string {
  if (removed.length === 0) return '';
  const groups = new Map<Removal['kind'], string[]>();
  for (const r of removed) {
    const list = groups.get(r.kind) ?? [];
    list.push(r.kind === 'route' ? `${r.id}: ${r.text}` : r.text);
    groups.set(r.kind, list);
  }
  const parts = [...groups].map(([kind, texts]) => (texts.length === 1 ? `${REMOVAL_NAMES[kind][0]} ${texts[0]}` : `${texts.length} ${REMOVAL_NAMES[kind][1]} (${texts.join(', ')})`));
  return `Also removed: ${parts.join('; ')}.`;
}
