/**
 * plan(): turns a validated document into concrete decisions: every namespace, bridge and veth
 * with final names and addresses, every route, which nodes forward, and the lab's iptables
 * chains and rules. Probe planning (probes.ts) is the next stage and reads this plan; the steps
 * and the renderer make no decision of their own.
 */
import { formatIp, parseCidr, parseIp, subnetText, type Family } from '../model/net.js';
import type { Netem, Route, TopologyDocument } from '../model/topology.js';
import { endNetem } from './netem.js';
import { routeDestination, routeFamily } from '../model/routes.js';
import { nodeName, resolve, type Iface, type Resolved } from '../model/resolve.js';

export interface PlannedRoute {
  family: Family;
  /** `default` or a subnet. */
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
}

export interface PlannedNamespace {
  node: string;
  name: string;
  forwarding: boolean;
  families: Family[];
  dns: string[];
  routes: PlannedRoute[];
  /** Its interfaces, in document order. */
  ifaces: Iface[];
  /** Programs kept running in it, in document order. */
  services: PlannedService[];
}

export interface PlannedService {
  id: string;
  /** The shell command line, run with bash -c in the namespace. */
  command: string;
}

export interface PlannedBridge {
  node: string;
  name: string;
  addresses: string[];
  mtu?: number;
}

export interface PlannedVeth {
  link: string;
  a: Iface;
  b: Iface;
  mtu?: number;
  /** Impairments of what each end sends (netem on its egress), when it has any. */
  netem?: { a?: Netem; b?: Netem };
}

export interface PlannedMasquerade {
  id: string;
  family: Family;
  source: string;
  out: string;
}

export interface PlannedPortForward {
  id: string;
  family: Family;
  proto: 'tcp' | 'udp';
  hostPort: number;
  to: string;
  toPort: number;
  uplink: string;
  /** Namespace that owns the target address. */
  netns?: string;
}

export interface PlannedChains {
  /** filter table, jumped to from the top of FORWARD. */
  forward: string;
  /** nat table, jumped to from PREROUTING, OUTPUT and POSTROUTING. */
  prerouting: string;
  output: string;
  postrouting: string;
}

export interface Plan {
  lab: string;
  title: string;
  /** Interface alias that marks everything the lab creates. */
  tag: string;
  namespaces: PlannedNamespace[];
  bridges: PlannedBridge[];
  veths: PlannedVeth[];
  host: {
    routes: PlannedRoute[];
    /** Families for which the host must forward (ip_forward / ipv6 forwarding). */
    forwarding: Family[];
    uplink?: string;
  };
  firewall: {
    /** Families that need the lab's FORWARD accept chain. */
    families: Family[];
    /** Host-side interfaces whose traffic the lab accepts in FORWARD. */
    acceptIfaces: string[];
    masquerade: PlannedMasquerade[];
    portForwards: PlannedPortForward[];
  };
  chains: PlannedChains;
  /** What preflight must find free (or already tagged): root-namespace interface names. */
  rootNames: string[];
  /** Namespace-side veth names, which exist briefly in the root namespace while a pair is made. */
  transitNames: string[];
  /** True when the plan needs iptables on the host. */
  needsIptables: boolean;
}

function familyOf(text: string): Family {
  return parseCidr(text)?.family ?? parseIp(text)?.family ?? 4;
}

function planRoute(route: Route): PlannedRoute {
  // Validation has refused a gateway of the other family, so the destination says it.
  const family = routeFamily(route.to);
  const dest = routeDestination(route.to);
  const to = dest ? subnetText(dest) : 'default';
  return {
    family,
    to,
    ...(route.via !== undefined ? { via: route.via } : {}),
    ...(route.dev !== undefined ? { dev: route.dev } : {}),
    ...(route.metric !== undefined ? { metric: route.metric } : {}),
  };
}

/** Plans a validated document (use validate() first: plan() trusts its input). */
export function plan(doc: TopologyDocument, resolved: Resolved = resolve(doc)): Plan {
  const r = resolved;
  const hostNode = r.hostId !== undefined ? r.nodes.get(r.hostId) : undefined;
  const host = hostNode?.kind === 'host' ? hostNode : undefined;
  const hostKey = r.hostId ?? '';

  const namespaces: PlannedNamespace[] = [];
  // forEach, not for...of, over the long lists: plan runs once per document, largely before the
  // optimizing compiler takes it, and there for...of makes an object per element.
  doc.nodes.forEach((n) => {
    if (n.kind !== 'namespace') return;
    const ifaces = r.l3ByNode.get(n.id) ?? [];
    // The families in use, in order (a loop: a namespace has an address or two).
    const families: Family[] = [];
    for (const i of ifaces) for (const a of i.addresses) if (!families.includes(a.family)) families.push(a.family);
    families.sort();
    namespaces.push({
      node: n.id,
      name: nodeName(n),
      forwarding: n.forwarding ?? n.router,
      families,
      dns: n.dns,
      routes: n.routes.map(planRoute),
      ifaces,
      services: n.services.map((s) => ({ id: s.id, command: s.command })),
    });
  });

  const bridges: PlannedBridge[] = r.bridges.map((b) => ({
    node: b.element,
    name: b.name,
    addresses: b.addresses.map((a) => a.text),
    ...(b.mtu !== undefined ? { mtu: b.mtu } : {}),
  }));

  const veths: PlannedVeth[] = r.links.flatMap((l) => {
    if (!l.a || !l.b) return [];
    const [na, nb] = [endNetem(l.link, 'a'), endNetem(l.link, 'b')];
    const netem = na || nb ? { netem: { ...(na ? { a: na } : {}), ...(nb ? { b: nb } : {}) } } : {};
    return [{ link: l.link.id, a: l.a, b: l.b, ...(l.link.mtu !== undefined ? { mtu: l.link.mtu } : {}), ...netem }];
  });

  // The host forwards when NAT needs it, when the user says so, or when a namespace routes
  // through one of the host's addresses (a bridge address or a host veth end).
  const hostAddresses = new Set((r.l3ByNode.get(hostKey) ?? []).flatMap((i) => i.addresses.map((a) => formatIp(a.family, a.value))));
  const hostOwns = (ip: string): boolean => hostAddresses.has(ip);
  const hostFamilies = new Set<Family>();
  for (const ns of namespaces) {
    for (const route of ns.routes) if (route.via && hostOwns(route.via)) hostFamilies.add(route.family);
  }
  for (const m of doc.nat.masquerade) hostFamilies.add(familyOf(m.source));
  for (const p of doc.nat.portForwards) hostFamilies.add(familyOf(p.to));
  if (host?.forwarding === true) {
    for (const i of r.ifaces) for (const a of i.addresses) hostFamilies.add(a.family);
    if (hostFamilies.size === 0) hostFamilies.add(4);
  }
  const hostForwarding = host?.forwarding === false ? [] : [...hostFamilies].sort();

  const lab = doc.name;
  const chains: PlannedChains = {
    forward: `NSD-${lab}-FWD`,
    prerouting: `NSD-${lab}-PRE`,
    output: `NSD-${lab}-OUT`,
    postrouting: `NSD-${lab}-POST`,
  };

  // The veth ends, a then b of each pair: in the host, unplugged (for FORWARD), and in namespaces.
  const hostEnds: string[] = [];
  const unpluggedHostEnds: string[] = [];
  const transitNames: string[] = [];
  const sort = (i: Iface): void => {
    if (i.netns !== null) transitNames.push(i.name);
    else {
      hostEnds.push(i.name);
      if (!i.master) unpluggedHostEnds.push(i.name);
    }
  };
  veths.forEach((v) => {
    sort(v.a);
    sort(v.b);
  });
  const acceptIfaces = bridges.map((b) => b.name).concat(unpluggedHostEnds);
  const labFamilies = new Set<Family>();
  for (const i of r.ifaces) for (const a of i.addresses) labFamilies.add(a.family);
  // Bridged traffic meets FORWARD when br_netfilter is loaded (Docker), routed traffic always.
  const firewallFamilies: Family[] =
    acceptIfaces.length === 0 ? [] : ([4, 6] as const).filter((f) => labFamilies.has(f) || (f === 4 && labFamilies.size === 0));
  const uplink = host?.uplink;

  const ownerNetns = (family: Family, ip: string): string | undefined => {
    for (const ns of namespaces) {
      if (ns.ifaces.some((i) => i.addresses.some((a) => a.family === family && formatIp(family, a.value) === ip))) return ns.name;
    }
    return undefined;
  };
  const masquerade: PlannedMasquerade[] = doc.nat.masquerade.map((m) => ({
    id: m.id,
    family: familyOf(m.source),
    source: subnetText(parseCidr(m.source)!),
    out: m.out ?? uplink ?? 'eth0',
  }));
  const portForwards: PlannedPortForward[] = doc.nat.portForwards.map((p) => {
    const family = familyOf(p.to);
    const netns = ownerNetns(family, p.to);
    return {
      id: p.id,
      family,
      proto: p.proto,
      hostPort: p.hostPort,
      to: p.to,
      toPort: p.toPort ?? p.hostPort,
      uplink: uplink ?? 'eth0',
      ...(netns !== undefined ? { netns } : {}),
    };
  });

  const rootNames = bridges.map((b) => b.name).concat(hostEnds);

  return {
    lab,
    title: doc.title ?? lab,
    tag: `nsd:${lab}`,
    namespaces,
    bridges,
    veths,
    host: {
      routes: host ? host.routes.map(planRoute) : [],
      forwarding: hostForwarding,
      ...(uplink !== undefined ? { uplink } : {}),
    },
    firewall: { families: firewallFamilies, acceptIfaces, masquerade, portForwards },
    chains,
    rootNames,
    transitNames: [...new Set(transitNames)],
    needsIptables: firewallFamilies.length > 0 || masquerade.length > 0 || portForwards.length > 0,
  };
}
