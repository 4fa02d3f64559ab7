/**
 * connect: a link with proposed interface names and addresses, and a default route for a
 * namespace that lands on a segment where the host has an address; the host's link to the
 * Internet node brings masquerade and name servers (internet.ts).
 */
import { formatIp, parseCidr, type Family } from '../../model/net.js';
import { segmentSubnets, type Iface, type Resolved } from '../../model/resolve.js';
import { isDefaultRouteOf } from '../../model/routes.js';
import { AddressBook, addressString, inSubnet, subnetOf, subnetString } from '../addresses.js';
import { ifnameCandidates, InterfaceNames, namedNode, uniqueId } from '../names.js';
import { elementIds, resolveDocument, type EndInput, type LinkInput, type NodeInput, type RouteInput } from '../view.js';
import { CommandError, findNode, HOST_NUMBER, netnsOf, type CommandResult, type Doc } from './common.js';
import { proposeInternetAccess } from './internet.js';

/** The host's own address of each family on a segment (bridge device or host veth end). */
function hostAddresses(members: readonly Iface[]): Map<Family, bigint> {
  const out = new Map<Family, bigint>();
  for (const m of members) if (m.netns === null) for (const c of m.addresses) if (!out.has(c.family)) out.set(c.family, c.value);
  return out;
}

/** Links two nodes, proposing interface names, addresses and a default route (see commands.ts). */
export function connect(doc: Doc, from: string, to: string): CommandResult {
  const a = findNode(doc, from);
  const b = findNode(doc, to);
  if (!a || !b) {
    const missing = a ? to : from;
    throw new CommandError(`cannot connect ${from} to ${to}: node "${missing}" does not exist; connect existing nodes`, missing);
  }
  if (from === to) throw new CommandError(`${from} cannot be connected to itself; drag the link to another node`, from);
  const links = doc.links ?? [];
  const twin = links.find((l) => (l.a.node === from && l.b.node === to) || (l.a.node === to && l.b.node === from));
  if (twin) throw new CommandError(`${from} and ${to} are already connected by link ${twin.id}; edit that link instead`, twin.id);
  const internet = [a, b].find((n) => n.kind === 'internet');
  if (internet) {
    const other = internet === a ? b : a;
    if (other.kind !== 'host') {
      throw new CommandError(`the Internet node ${internet.id} can only be linked to the Host node, not to ${other.kind} ${other.id}; connect ${other.id} to a bridge or the host instead`, other.id);
    }
    const uplinked = links.find((l) => [l.a.node, l.b.node].includes(other.id) && [l.a.node, l.b.node].some((id) => findNode(doc, id)?.kind === 'internet'));
    if (uplinked) throw new CommandError(`the host ${other.id} is already linked to the Internet by link ${uplinked.id}; remove that link first`, uplinked.id);
  }

  const id = uniqueId(`${from}-${to}`, elementIds(doc));
  // The uplink takes neither names nor addresses: the host's uplink interface is its own.
  if (internet) return { doc: proposeInternetAccess({ ...doc, links: [...links, { id, a: { node: from }, b: { node: to } }] }), selection: [id] };

  const r = resolveDocument(doc);
  const names = InterfaceNames.of(r);
  const book = AddressBook.of(doc, r);
  const ifnames = [names.propose(netnsOf(a), ifnameCandidates(namedNode(a), namedNode(b))), names.propose(netnsOf(b), ifnameCandidates(namedNode(b), namedNode(a)))];

  if (a.kind === 'bridge' && b.kind === 'bridge') refuseBridgeJoin(r, a.id, b.id);
  const bridge = [a, b].find((n) => n.kind === 'bridge');
  const segment = bridge && segmentOfBridge(r, bridge.id);
  let subnets = segment ? segmentSubnets(segment.members).map(subnetOf) : [];
  const label = segment ? segment.label : id;
  const addressed = [a, b].map((n) => n.kind === 'namespace' || n.kind === 'host');
  if (subnets.length === 0 && addressed.some(Boolean)) {
    const fresh = book.freshSubnet24();
    if (!fresh) throw new CommandError(`link ${id}: every /24 the editor proposes (in 192.168.0.0/16 and 10.0.0.0/8) is in use; write this link with addresses of your own in the JSON`, id);
    subnets = [fresh];
  }
  const addresses = [a, b].map((node, i) => {
    if (!addressed[i]) return [];
    return subnets.map((s) => {
      const value = book.nextFree(s, node.kind === 'host' ? HOST_NUMBER : undefined);
      if (value === undefined) throw new CommandError(`segment ${label} has no free address left in ${subnetString(s)} for ${node.id}; use a larger subnet`, node.id);
      return addressString(s, value);
    });
  });

  const gateways = segment ? hostAddresses(segment.members) : new Map<Family, bigint>();
  [a, b].forEach((node, i) => {
    if (node.kind !== 'host') return;
    for (const text of addresses[i]!) {
      const c = parseCidr(text)!;
      if (!gateways.has(c.family)) gateways.set(c.family, c.value);
    }
  });
  let nodes = doc.nodes ?? [];
  for (const node of [a, b]) {
    if (node.kind !== 'namespace' || gateways.size === 0) continue;
    const routes = node.routes ?? [];
    // A namespace already on another segment with the gateway's subnet would reach the gateway there, where nothing owns it.
    const own = r.l3ByNode.get(node.id) ?? [];
    const added = [...gateways]
      .filter(([family, value]) => !routes.some((route) => isDefaultRouteOf(route.to, family)) && !own.some((i) => i.addresses.some((c) => inSubnet(subnetOf(c), family, value))))
      .map(([family, value]): RouteInput => ({ to: family === 4 ? 'default' : 'default6', via: formatIp(family, value) }));
    if (added.length > 0) nodes = nodes.map((n) => (n === node ? { ...node, routes: [...routes, ...added] } : n));
  }

  const end = (node: NodeInput, i: number): EndInput => ({ node: node.id, ifname: ifnames[i]!, ...(addresses[i]!.length > 0 ? { addresses: addresses[i] } : {}) });
  const link: LinkInput = { id, a: end(a, 0), b: end(b, 1) };
  return { doc: { ...doc, nodes, links: [...links, link] }, selection: [id] };
}

/**
 * Joining two bridges makes one segment, which can carry only one subnet per family; and two
 * bridges already joined through others would form a loop (the lab's bridges run without STP).
 */
function refuseBridgeJoin(r: Resolved, x: string, y: string): void {
  const [sx, sy] = [segmentOfBridge(r, x), segmentOfBridge(r, y)];
  if (!sx || !sy) return;
  if (sx === sy) {
    throw new CommandError(`${x} and ${y} are already joined through other bridges; another link between them would make a loop where frames circle forever, so leave it out`, y);
  }
  for (const one of segmentSubnets(sx.members).map(subnetOf)) {
    const other = segmentSubnets(sy.members).map(subnetOf).find((s) => s.family === one.family);
    if (other && subnetString(other) !== subnetString(one)) {
      throw new CommandError(
        `${x} carries ${subnetString(one)} and ${y} carries ${subnetString(other)}; a link would make them one segment with two subnets, so connect them through a router namespace instead`,
        y,
      );
    }
  }
}

function segmentOfBridge(r: Resolved, bridgeId: string) {
  const device = r.bridges.find((i) => i.element === bridgeId);
  return device && r.segments.find((s) => s.id === device.segment);
}
