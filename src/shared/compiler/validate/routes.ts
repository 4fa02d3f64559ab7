/**
 * Routes: a destination without host bits, each destination once per metric, a `dev` the node
 * has, and a gateway by the route-gateway rule (src/shared/model/routes.ts): same family, on a
 * connected subnet, owned by something else on that segment, and that something forwards.
 */
import { contains, formatIp, networkOf, subnetText } from '../../model/net.js';
import { isDefaultRoute, judgeRoute, routeDestination, routeFamily } from '../../model/routes.js';
import type { HostNode, NamespaceNode } from '../../model/topology.js';
import { describeIface, report, segmentLabel, type Context } from './context.js';

/** Where a field of a route is written; built only for a message (a large lab has a route or two per namespace, nearly all fine). */
function routeField(node: number, route: number, field: string): string {
  return `nodes[${node}].routes[${route}].${field}`;
}

/** Reports routes that cannot carry traffic, and gateways that do not forward. */
export function checkRoutes(ctx: Context): void {
  const nodes = ctx.r.doc.nodes;
  // Loops and a function per route, not a closure per node: a large lab has a namespace or two per route.
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k]!;
    if (node.kind !== 'namespace' && node.kind !== 'host') continue;
    // Each destination once per metric: a node with one route (most of a large lab's) needs no record of them.
    const seen = node.routes.length > 1 ? new Map<string, number>() : undefined;
    for (let j = 0; j < node.routes.length; j++) checkRoute(ctx, node, k, j, seen);
  }
}

/** How a node is named in a route's message. */
function selfName(r: Context['r'], node: NamespaceNode | HostNode): string {
  return node.kind === 'namespace' ? (r.netnsOf.get(node.id) ?? node.id) : 'the host';
}

/** One route, `nodes[k].routes[j]`. */
function checkRoute(ctx: Context, node: NamespaceNode | HostNode, k: number, j: number, seen: Map<string, number> | undefined): void {
  const { r } = ctx;
  const route = node.routes[j]!;
  const family = routeFamily(route.to);
  const dest = routeDestination(route.to);
  const isDefault = isDefaultRoute(route.to);
  if (dest && networkOf(dest) !== dest.value) {
    report(ctx, 'error', node.id, routeField(k, j, 'to'), `route destination ${route.to} has host bits set; write the subnet ${subnetText(dest)}`);
  }
  if (seen) {
    const key = `${family}:${dest && !isDefault ? subnetText(dest) : 'default'}:${route.metric ?? ''}`;
    const previous = seen.get(key);
    if (previous !== undefined) report(ctx, 'error', node.id, routeField(k, j, 'to'), `${selfName(r, node)} already has a route to ${route.to} (routes[${previous}]); remove one or give them different metrics`);
    else seen.set(key, j);
  }

  const verdict = judgeRoute(r, node.id, route, ctx.owners);
  if (verdict.kind === 'unknown-dev') {
    const { names } = verdict;
    const choices = names.length > 0 ? `use one of ${names.slice(0, 8).join(', ')}` : 'connect it with a link first';
    report(ctx, 'error', node.id, routeField(k, j, 'dev'), `${selfName(r, node)} has no interface "${route.dev}"; ${choices}`);
    return;
  }
  if (verdict.kind === 'direct') return;
  if (verdict.kind === 'gateway') {
    const { owner } = verdict;
    const ownerNode = r.nodes.get(owner.node);
    if (ownerNode?.kind === 'namespace' && !(ownerNode.forwarding ?? ownerNode.router)) {
      const via = formatIp(verdict.gateway.family, verdict.gateway.value);
      const ns = owner.netns ?? ownerNode.id;
      const fix = ownerNode.forwarding === false ? `remove "forwarding": false from ${ownerNode.id}` : `mark ${ownerNode.id} as a router ("router": true)`;
      report(ctx, 'warning', node.id, routeField(k, j, 'via'), `gateway ${via} belongs to ${ns}, which does not forward packets; ${fix}`);
    }
    if (isDefault && node.kind === 'namespace') ctx.defaultGateways.set(node.id, owner);
    return;
  }
  const self = selfName(r, node);
  const gw = verdict.gateway;
  const via = formatIp(gw.family, gw.value);
  switch (verdict.kind) {
    case 'family-mismatch': {
      const fix = isDefault ? `use "${family === 4 ? 'default6' : 'default'}" for an IPv${gw.family} default route` : `use an IPv${family} gateway`;
      report(ctx, 'error', node.id, routeField(k, j, 'via'), `gateway ${via} is IPv${gw.family} but the destination ${route.to} is IPv${family}; ${fix}`);
      return;
    }
    case 'off-subnet': {
      const subnets = [...new Set(verdict.candidates.flatMap((i) => i.addresses.map((c) => subnetText(c))))];
      const list = subnets.length > 0 ? ` (${subnets.join(', ')})` : '';
      if (node.kind === 'host') {
        report(ctx, 'warning', node.id, routeField(k, j, 'via'), `gateway ${via} is not on any lab subnet of the host${list}; if it is on the network of the uplink ${node.uplink}, add "dev": "${node.uplink}"`);
      } else {
        report(ctx, 'error', node.id, routeField(k, j, 'via'), `gateway ${via} is not on any connected subnet of ${self}${list}; use an address in one of them or connect ${self} to that network`);
      }
      return;
    }
    case 'own-address':
      report(ctx, 'error', node.id, routeField(k, j, 'via'), `gateway ${via} is ${self}'s own address; use the address of the next router`);
      return;
    case 'unowned': {
      const { connected } = verdict;
      const segment = ctx.segments.get(connected.segment);
      const prefix = connected.addresses.find((c) => contains(c, gw.family, gw.value))!.prefix;
      const own = r.l3ByNode.get(node.id) ?? [];
      const others = (segment?.members ?? []).filter((m) => !own.includes(m));
      const target = node.kind === 'namespace' && segment && segment.bridges.length > 0 ? `the bridge ${segment.bridges[0]}` : others[0] ? describeIface(others[0]) : 'a node on that segment';
      const effect = isDefault ? `${self} has no way out` : `traffic to ${route.to} goes nowhere`;
      report(ctx, 'error', node.id, routeField(k, j, 'via'), `gateway ${via} is not the address of anything on segment ${segment ? segmentLabel(segment) : connected.name}, so ${effect}; give ${target} the address ${via}/${prefix}`);
      return;
    }
  }
}
