/**
 * What the semantic rule groups share: the resolved view, the problems found so far, lookups
 * built once, and facts one group records for a later one (the default gateways for NAT's DNS
 * advice), plus how interfaces and segments are named in messages.
 */
import type { Cidr } from '../../model/net.js';
import { addressOwners, segmentSubnets, type Iface, type Resolved, type Segment } from '../../model/resolve.js';
import type { Problem, ProblemFix } from '../problems.js';

/** Shared lookups for the checks. */
export interface Context {
  r: Resolved;
  out: Problem[];
  /** Index in doc.nodes of the first node with each id. */
  nodeIndex: Map<string, number>;
  segments: Map<number, Segment>;
  /** Owner of each address (ipKey), first come in segment order. */
  owners: Map<string, Iface>;
  /** One subnet per family and segment: the first address's. */
  segmentSubnets: Map<number, Cidr[]>;
  /** Interface that each namespace's default route points at, per node id. */
  defaultGateways: Map<string, Iface>;
}

/** A fresh context for one document. */
export function createContext(r: Resolved): Context {
  const nodeIndex = new Map<string, number>();
  r.doc.nodes.forEach((n, i) => {
    if (!nodeIndex.has(n.id)) nodeIndex.set(n.id, i);
  });
  return {
    r,
    out: [],
    nodeIndex,
    segments: new Map(r.segments.map((s) => [s.id, s])),
    owners: addressOwners(r),
    segmentSubnets: new Map(r.segments.map((s) => [s.id, segmentSubnets(s.members)])),
    defaultGateways: new Map(),
  };
}

/** Adds a problem. */
export function report(ctx: Context, severity: Problem['severity'], element: string | null, path: string, message: string, fix?: ProblemFix): void {
  ctx.out.push({ severity, element, path, message, ...(fix ? { fix } : {}) });
}

/** `veth-red on red`, `the bridge vnet0`, `veth-red-host on the host`. */
export function describeIface(i: Iface): string {
  if (i.kind === 'bridge') return `the bridge ${i.name}`;
  return `${i.name} on ${i.netns ?? 'the host'}`;
}

/** The segment's label, shortened when many bridges are joined into it. */
export function segmentLabel(segment: Segment): string {
  if (segment.bridges.length <= 3) return segment.label;
  return `${segment.bridges.slice(0, 3).join('+')}+… (${segment.bridges.length} joined bridges)`;
}
