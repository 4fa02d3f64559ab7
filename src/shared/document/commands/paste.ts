/**
 * paste: copies of the clipboard's elements, renamed and readdressed so they fit the document.
 */
import { formatIp, parseCidr, parseIp, type Cidr } from '../../model/net.js';
import { AddressBook, addressString, inSubnet, subnetOf, subnetString, type Subnet } from '../addresses.js';
import { idForCopy, ifnameCandidates, InterfaceNames, isSchemeName, namedNode, uniqueId } from '../names.js';
import { sameValue } from '../patch.js';
import { elementIds, nodeNameOf, resolveDocument, takenNames, type EndInput, type LinkInput, type NodeInput, type RouteInput } from '../view.js';
import { netnsOf, routeCheck, type Clipboard, type CommandResult, type Doc, type Pos } from './common.js';

/**
 * Adds copies of the clipboard's elements, moved by `offset`. Ids that clash get the next
 * tutorial name of their style (red -> green, vnet0 -> vnet1) or a `-2` suffix; links named
 * after their ends are renamed with them. Subnets that overlap the document move to fresh ones
 * (addresses keep their host number, routes follow), interface names that clash or were derived
 * from a renamed node are proposed again, and routes whose gateway or `dev` did not come along
 * are dropped. There is one host and one internet: clipboard copies of them stand for the ones
 * the document has, and a link between two such existing nodes that already exists is dropped.
 */
export function paste(doc: Doc, clip: Clipboard, offset: Pos): CommandResult {
  const taken = takenNames(doc);
  const existing = doc.nodes ?? [];
  const idMap = new Map<string, string>();
  const fresh = new Set<string>();
  const shift = <T extends { position?: Pos | undefined }>(item: T): T => (item.position ? { ...item, position: { x: item.position.x + offset.x, y: item.position.y + offset.y } } : item);
  const pastedNodes: NodeInput[] = [];
  for (const source of clip.nodes) {
    if (idMap.has(source.id)) continue;
    if (source.kind === 'host' || source.kind === 'internet') {
      const single = [...existing, ...pastedNodes].find((n) => n.kind === source.kind);
      if (single) {
        idMap.set(source.id, single.id);
        continue;
      }
    }
    const id = idForCopy(source.id, taken);
    taken.add(id);
    idMap.set(source.id, id);
    fresh.add(id);
    let node: NodeInput = { ...shift(structuredClone(source)), id };
    if ((node.kind === 'namespace' || node.kind === 'bridge') && node.name !== undefined) {
      // A name another node has would clash on the host; without it the node is named by its fresh id.
      if (taken.has(node.name)) {
        const { name: _name, ...unnamed } = node;
        node = unnamed;
      } else taken.add(node.name);
    }
    pastedNodes.push(node);
  }
  const allNodes = new Map([...existing, ...pastedNodes].map((n) => [n.id, n]));
  const sourceById = new Map(clip.nodes.map((n) => [n.id, n]));

  const before = resolveDocument(doc);
  const book = AddressBook.of(doc, before);
  const names = InterfaceNames.of(before);
  const ids = elementIds(doc);
  for (const n of pastedNodes) ids.add(n.id);

  // One relocation per subnet of each copied segment, so a segment's addresses, gateways and
  // routes stay consistent, and two copied segments never end up sharing a subnet.
  const clipView = resolveDocument({ version: 1, name: 'clipboard', nodes: clip.nodes, links: clip.links });
  const segmentOf = new Map(clipView.ifaces.map((i) => [i.key, i.segment]));
  const moved = new Map<string, { source: Subnet; target: Subnet | null }>();
  const movedKey = (segment: number | undefined, s: Subnet) => `${segment ?? 'none'}|${subnetString(s)}`;
  const relocate = (segment: number | undefined, c: Cidr): Cidr | undefined => {
    const s = subnetOf(c);
    const key = movedKey(segment, s);
    if (!moved.has(key)) moved.set(key, { source: s, target: book.relocate(s) ?? null });
    const target = moved.get(key)!.target;
    if (!target) return undefined;
    const value = target.network + (c.value - s.network);
    if (book.isUsed(c.family, value)) return undefined;
    return parseCidr(addressString(target, value));
  };
  const relocateList = (segment: number | undefined, list: readonly string[] | undefined): string[] =>
    (list ?? []).flatMap((text) => {
      const c = parseCidr(text);
      const out = c && relocate(segment, c);
      if (out) book.claimAddress(out);
      return out ? [out.text] : [];
    });
  const sourceOf = new Map<string, string>([...idMap].filter(([, to]) => fresh.has(to)).map(([from, to]) => [to, from]));
  pastedNodes.forEach((n, index) => {
    if (n.kind !== 'bridge' || !n.addresses) return;
    pastedNodes[index] = { ...n, addresses: relocateList(segmentOf.get(sourceOf.get(n.id)!), n.addresses) };
    allNodes.set(n.id, pastedNodes[index]!);
  });

  const links = doc.links ?? [];
  const pair = (x: string, y: string) => links.some((l) => (l.a.node === x && l.b.node === y) || (l.a.node === y && l.b.node === x));
  const pastedLinks: LinkInput[] = [];
  for (const source of clip.links) {
    const aId = idMap.get(source.a.node);
    const bId = idMap.get(source.b.node);
    if (aId === undefined || bId === undefined || aId === bId) continue;
    if (!fresh.has(aId) && !fresh.has(bId) && pair(aId, bId)) continue;
    const base = source.id === `${source.a.node}-${source.b.node}` ? `${aId}-${bId}` : source.id;
    const id = uniqueId(base, ids);
    ids.add(id);
    const end = (side: 'a' | 'b', nodeId: string): EndInput => {
      const src = source[side];
      const self = allNodes.get(nodeId)!;
      const other = allNodes.get(side === 'a' ? bId : aId)!;
      const out: EndInput = { ...structuredClone(src), node: nodeId };
      if (self.kind === 'internet' || other.kind === 'internet') return out;
      if (typeof src.ifname === 'string') {
        const oldSelf = sourceById.get(src.node);
        const oldOther = sourceById.get(source[side === 'a' ? 'b' : 'a'].node);
        const renamed = oldSelf && oldOther && isSchemeName(src.ifname, namedNode(oldSelf), namedNode(oldOther)) && (nodeNameOf(oldSelf) !== nodeNameOf(self) || nodeNameOf(oldOther) !== nodeNameOf(other));
        if (!renamed && names.isFree(netnsOf(self), src.ifname)) names.reserve(netnsOf(self), src.ifname);
        else out.ifname = names.propose(netnsOf(self), ifnameCandidates(namedNode(self), namedNode(other)));
      }
      if (src.addresses) out.addresses = relocateList(segmentOf.get(`${source.id}.${side}`), src.addresses);
      return out;
    };
    pastedLinks.push({ ...structuredClone(source), id, a: end('a', aId), b: end('b', bId) });
  }

  // Routes survive when their gateway (moved with its subnet) or their dev came along.
  const after = resolveDocument({ ...doc, nodes: [...existing, ...pastedNodes], links: [...links, ...pastedLinks] });
  const works = routeCheck(after);
  const finalNodes = pastedNodes.map((n) => {
    if ((n.kind !== 'namespace' && n.kind !== 'host') || !n.routes) return n;
    const own = clipView.l3ByNode.get(sourceOf.get(n.id)!) ?? [];
    const routes = n.routes.flatMap((route): RouteInput[] => {
      const out = { ...route };
      const gw = route.via === undefined ? undefined : parseIp(route.via);
      if (gw) {
        // The gateway moves with the subnet of the copied segment it was reached on.
        const on = own.flatMap((i) => i.addresses.filter((c) => inSubnet(subnetOf(c), gw.family, gw.value)).map((c) => moved.get(movedKey(i.segment, subnetOf(c)))))[0];
        if (on && !on.target) return [];
        if (on?.target) out.via = formatIp(gw.family, on.target.network + (gw.value - on.source.network));
      }
      const dest = parseCidr(route.to);
      const movedDest = dest && dest.prefix > 0 ? [...moved.values()].find((m) => m.target && subnetString(m.source) === subnetString(subnetOf(dest))) : undefined;
      if (movedDest?.target) out.to = subnetString(movedDest.target);
      return works(n.id, out) ? [out] : [];
    });
    return sameValue(routes, n.routes) ? n : ({ ...n, routes } as NodeInput);
  });

  const pastedNotes = clip.notes.map((note) => {
    const id = uniqueId(note.id, ids);
    ids.add(id);
    return shift({ ...structuredClone(note), id });
  });
  const next: Doc = { ...doc, nodes: [...existing, ...finalNodes], links: [...links, ...pastedLinks] };
  if (pastedNotes.length > 0) next.notes = [...(doc.notes ?? []), ...pastedNotes];
  const selection = [...finalNodes.map((n) => n.id), ...pastedLinks.map((l) => l.id), ...pastedNotes.map((n) => n.id)];
  if (selection.length === 0) return { doc, selection };
  return { doc: next, selection };
}
