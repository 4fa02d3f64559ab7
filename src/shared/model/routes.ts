/**
 * What a route means on the resolved view: its family, whether it is a default route, and the
 * route-gateway rule (a gateway lies on a connected subnet and belongs to another interface on
 * that segment). The validator turns a verdict into a message; the editor's delete and paste
 * keep or drop routes by the same verdict.
 */
import { contains, ipKey, parseCidr, parseIp, type Cidr, type Family } from './net.js';
import type { Iface, Resolved } from './resolve.js';

/** A route as written: the parts the rule reads. */
export interface RouteLike {
  to: string;
  via?: string | undefined;
  dev?: string | undefined;
}

/** True for the words `default` and `default6`, the destinations that are no subnet. */
export function isDefaultWord(to: string): boolean {
  return to === 'default' || to === 'default6';
}

/** A route's destination as a subnet; undefined for `default` and `default6`. */
export function routeDestination(to: string): Cidr | undefined {
  return isDefaultWord(to) ? undefined : parseCidr(to);
}

/** True for `default`, `default6` and any /0 destination. */
export function isDefaultRoute(to: string): boolean {
  return isDefaultWord(to) || parseCidr(to)?.prefix === 0;
}

/** The family of a route's destination: `default` is IPv4, `default6` IPv6. */
export function routeFamily(to: string): Family {
  if (to === 'default') return 4;
  if (to === 'default6') return 6;
  return parseCidr(to)?.family ?? 4;
}

/** True when the route is the default route of the family. */
export function isDefaultRouteOf(to: string, family: Family): boolean {
  return isDefaultRoute(to) && routeFamily(to) === family;
}

type Gateway = { family: Family; value: bigint };

/** How a route of a namespace or the host stands on the resolved view. */
export type RouteVerdict =
  /** `dev` names no interface of the node (nor the host's uplink). */
  | { kind: 'unknown-dev'; names: string[] }
  /** No gateway, or a gateway out of the host's uplink: nothing in the lab to check. */
  | { kind: 'direct' }
  | { kind: 'family-mismatch'; gateway: Gateway; family: Family }
  /** The gateway is on none of the candidate interfaces' subnets. */
  | { kind: 'off-subnet'; gateway: Gateway; candidates: Iface[] }
  /** The gateway is the node's own address. */
  | { kind: 'own-address'; gateway: Gateway; connected: Iface }
  /** Nothing on the connected segment owns the gateway. */
  | { kind: 'unowned'; gateway: Gateway; connected: Iface }
  | { kind: 'gateway'; gateway: Gateway; connected: Iface; owner: Iface };

/** Judges a route of node `nodeId` by the route-gateway rule; `owners` is addressOwners(r). */
export function judgeRoute(r: Resolved, nodeId: string, route: RouteLike, owners: ReadonlyMap<string, Iface>): RouteVerdict {
  const node = r.nodes.get(nodeId);
  const own = r.l3ByNode.get(nodeId) ?? [];
  const uplink = node?.kind === 'host' ? node.uplink : undefined;
  if (route.dev !== undefined && route.dev !== uplink && !own.some((i) => i.name === route.dev)) {
    return { kind: 'unknown-dev', names: [...own.map((i) => i.name), ...(uplink !== undefined ? [uplink] : [])] };
  }
  const ip = route.via === undefined ? undefined : parseIp(route.via);
  if (!ip) return { kind: 'direct' };
  const gateway = { family: ip.family, value: ip.value };
  const family = routeFamily(route.to);
  if (ip.family !== family) return { kind: 'family-mismatch', gateway, family };
  if (route.dev !== undefined && route.dev === uplink) return { kind: 'direct' };
  const candidates = route.dev === undefined ? own : own.filter((i) => i.name === route.dev);
  const connected = connectedTo(candidates, ip.family, ip.value);
  if (!connected) return { kind: 'off-subnet', gateway, candidates };
  const owner = owners.get(ipKey(ip.family, ip.value));
  if (owner && own.includes(owner)) return { kind: 'own-address', gateway, connected };
  if (!owner || owner.segment !== connected.segment) return { kind: 'unowned', gateway, connected };
  return { kind: 'gateway', gateway, connected, owner };
}

/** The first interface with a subnet holding the address; loops, not two closures per route of a large lab. */
function connectedTo(candidates: readonly Iface[], family: Family, value: bigint): Iface | undefined {
  for (let i = 0; i < candidates.length; i++) {
    const addresses = candidates[i]!.addresses;
    for (let j = 0; j < addresses.length; j++) if (contains(addresses[j]!, family, value)) return candidates[i];
  }
  return undefined;
}

/**
 * True when the route carries traffic: it has a gateway someone owns, or needs none. A host
 * route to a gateway outside the lab's subnets may be on the uplink's network, so it counts.
 */
export function routeWorks(r: Resolved, nodeId: string, verdict: RouteVerdict): boolean {
  if (verdict.kind === 'direct' || verdict.kind === 'gateway') return true;
  return verdict.kind === 'off-subnet' && r.nodes.get(nodeId)?.kind === 'host';
}
