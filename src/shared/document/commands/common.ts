/**
 * What every editor command shares: the document and result types, the refusal, and small
 * helpers that keep unchanged parts of a document shared.
 */
import type { NodeKind, TopologyInput } from '../../model/topology.js';
import { addressOwners, hasAddress, type Resolved } from '../../model/resolve.js';
import { judgeRoute, routeWorks } from '../../model/routes.js';
import { nodeNameOf, type LinkInput, type NodeInput, type NoteInput, type RouteInput } from '../view.js';

/** Documents as written (defaults optional). */
export type Doc = TopologyInput;
export type Pos = { x: number; y: number };

/** The document-level fields updateDoc may set. */
export type DocPatch = { name?: string; title?: string; description?: string; nat?: Doc['nat']; probes?: Doc['probes'] };

/** Copied elements: independent deep copies, so the document may change after copying. */
export interface Clipboard {
  nodes: NodeInput[];
  links: LinkInput[];
  notes: NoteInput[];
}

/** The next document, and the ids the UI should select (created elements; empty after delete). */
export interface CommandResult {
  doc: Doc;
  selection?: string[];
  /** What a delete removed along with the elements asked for (links, routes, NAT rules, probes), in document order. */
  alsoRemoved?: Removal[];
}

/** One thing a delete took away that the user did not select. */
export interface Removal {
  kind: 'link' | 'route' | 'masquerade' | 'portForward' | 'probe';
  /** The element: the link, rule or probe id; for a route, the node that had it. */
  id: string;
  /** How it reads in a sentence: `red-vnet0`, `192.168.15.0/24`, `tcp 8080 -> 192.168.15.2:80`, `default via 192.168.15.5`. */
  text: string;
}

/** A command the document refuses; the message names the element and the fix, for the UI to show. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  /** Id of the element the command was about, when there is one. */
  readonly element: string | null;
  constructor(message: string, element: string | null = null) {
    super(message);
    this.element = element;
  }
}

/** The host's preferred host number on a subnet: 192.168.15.5 in the tutorial. */
export const HOST_NUMBER = 5;
/** The target the Internet node gets: an address of TEST-NET-3, the tutorial's outside. */
export const INTERNET_TARGET = '203.0.113.1';


export const KIND_LABEL: Record<NodeKind, string> = { namespace: 'namespace', bridge: 'bridge', host: 'Host node', internet: 'Internet node' };

/** findNode */
export function findNode(doc: Doc, id: string): NodeInput | undefined {
  return (doc.nodes ?? []).find((n) => n.id === id);
}

/** netnsOf */
export function netnsOf(node: NodeInput): string | null {
  return node.kind === 'namespace' ? nodeNameOf(node) : null;
}


/** `list.map(f)`, but the list itself when `f` returned every item unchanged. */
export function mapShared<T>(list: T[] | undefined, f: (item: T) => T): T[] | undefined {
  if (!list) return list;
  let changed = false;
  const out = list.map((item) => {
    const next = f(item);
    if (next !== item) changed = true;
    return next;
  });
  return changed ? out : list;
}

/** `list.filter(keep)`, but the list itself when nothing was dropped. */
export function filterShared<T>(list: T[] | undefined, keep: (item: T) => boolean): T[] | undefined {
  if (!list) return list;
  const out = list.filter(keep);
  return out.length === list.length ? list : out;
}


/**
 * Whether a route of a node works in a resolved view, by the validator's route-gateway rule
 * (src/shared/model/routes.ts): its `dev` exists and its gateway lies on a connected subnet and
 * is owned by another interface on that segment; a host route may leave by the uplink's network.
 */
export function routeCheck(r: Resolved): (nodeId: string, route: RouteInput) => boolean {
  let owners: ReturnType<typeof addressOwners> | undefined;
  return (nodeId, route) => {
    owners ??= addressOwners(r);
    return routeWorks(r, nodeId, judgeRoute(r, nodeId, route, owners));
  };
}

/** True when a probe can aim at the node: it has an address (as the validator judges it). */
export function nodeHasAddress(r: Resolved, id: string): boolean {
  const node = r.nodes.get(id);
  return node !== undefined && hasAddress(r, node);
}
