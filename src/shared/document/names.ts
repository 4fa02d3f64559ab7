/**
 * Name proposals for new elements, in the tutorial's style: namespaces red, blue, green...,
 * routers router1, bridges vnet0, links red-blue, interfaces veth-red / veth-red-br. Interface
 * names follow the compiler's own generator (src/shared/model/resolve.ts) and its 15-byte fitting, so an explicit
 * name the editor writes is the name the compiler would have picked.
 */
import { NAME_MAX } from '../model/topology.js';
import { fitIfName, shortHash, type Netns, type Resolved } from '../model/resolve.js';
import { nodeNameOf, type NodeInput } from './view.js';

/** The tutorial's namespace names, used in this order before ns1, ns2, ... */
export const NAMESPACE_NAMES = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'cyan', 'brown', 'gray'] as const;

/** The Host node's id when it is free. */
export const HOST_ID = 'host';
/** The Internet node's id when it is free. */
export const INTERNET_ID = 'internet';

/** What a new node's id is proposed for. */
export type IdStyle = 'namespace' | 'router' | 'bridge' | 'host' | 'internet';

/** Shortens an id to NAME_MAX characters, keeping its start and a hash of the whole. */
export function fitId(id: string): string {
  return id.length <= NAME_MAX ? id : `${id.slice(0, NAME_MAX - 5)}-${shortHash(id)}`;
}

/** `base` when free, else `base-2`, `base-3`, ... (fitted to NAME_MAX). */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const first = fitId(base);
  if (!taken.has(first)) return first;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const candidate = base.length + suffix.length <= NAME_MAX ? `${base}${suffix}` : `${fitId(base).slice(0, NAME_MAX - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function firstNumbered(prefix: string, start: number, taken: ReadonlySet<string>): string {
  for (let i = start; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

/** The id a new node gets: the first free tutorial name of its style. */
export function proposeNodeId(style: IdStyle, taken: ReadonlySet<string>): string {
  switch (style) {
    case 'namespace':
      return NAMESPACE_NAMES.find((n) => !taken.has(n)) ?? firstNumbered('ns', 1, taken);
    case 'router':
      return firstNumbered('router', 1, taken);
    case 'bridge':
      return firstNumbered('vnet', 0, taken);
    case 'host':
      return uniqueId(HOST_ID, taken);
    case 'internet':
      return uniqueId(INTERNET_ID, taken);
  }
}

/** The tutorial style an existing id was proposed in, if any (red and ns7 are namespaces, router2 a router, vnet1 a bridge). */
export function idStyleOf(id: string): IdStyle | undefined {
  if ((NAMESPACE_NAMES as readonly string[]).includes(id) || /^ns\d+$/.test(id)) return 'namespace';
  if (/^router\d*$/.test(id)) return 'router';
  if (/^vnet\d+$/.test(id)) return 'bridge';
  return undefined;
}

/** A free id for a copy of `id`: the next tutorial name of the same style (red -> green), else `id-2`. */
export function idForCopy(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  const style = idStyleOf(id);
  return style ? proposeNodeId(style, taken) : uniqueId(id, taken);
}

/** The end of a link as naming sees it: which kind of node, and its name on the host. */
export interface NamedNode {
  kind: NodeInput['kind'];
  name: string;
}

/** `{kind, name}` of a node as written. */
export function namedNode(node: NodeInput): NamedNode {
  return { kind: node.kind, name: nodeNameOf(node) };
}

/**
 * Interface names for the end of a link on `self` towards `other`, best first, before fitting:
 * the same candidates as the compiler's generator (veth-red in red, veth-red-br on the bridge,
 * veth-red-host on the host).
 */
export function ifnameCandidates(self: NamedNode, other: NamedNode): string[] {
  if (self.kind === 'namespace') return [`veth-${self.name}`, `veth-${self.name}-${other.name}`];
  if (self.kind === 'bridge') return other.kind === 'namespace' ? [`veth-${other.name}-br`, `veth-${other.name}-${self.name}`] : [`veth-${self.name}-${other.name}`];
  return other.kind === 'namespace' ? [`veth-${other.name}-host`, `veth-${other.name}-h`] : [`veth-host-${other.name}`];
}

/** True when `ifname` is what the naming scheme gives the end on `self` towards `other` (including its numbered fallback). */
export function isSchemeName(ifname: string, self: NamedNode, other: NamedNode): boolean {
  const candidates = ifnameCandidates(self, other);
  if (candidates.some((c) => fitIfName(c) === ifname)) return true;
  const base = candidates[0]!;
  const numbered = /^(.*)-(\d+)$/.exec(ifname);
  if (!numbered) return false;
  return fitIfName(`${base}-${numbered[2]}`) === ifname;
}

/**
 * The full name an interface name was shortened from, when it is the scheme's name for this end
 * cut to the kernel's 15 bytes (`veth-redredre-br` for `veth-redredredredred-br`): the
 * designer says so next to the field. Undefined for names that were not shortened.
 */
export function shortenedFrom(ifname: string, self: NamedNode, other: NamedNode): string | undefined {
  const candidates = ifnameCandidates(self, other);
  const numbered = /^(.*)-(\d+)$/.exec(ifname);
  if (numbered) candidates.push(`${candidates[0]!}-${numbered[2]}`);
  return candidates.find((c) => c !== ifname && fitIfName(c) === ifname);
}

/**
 * Interface names in use, per namespace and in the host's root namespace, with the compiler's
 * rules: a name is unique in its namespace, and namespace-side names never equal a root name
 * because veth ends are created in the root namespace before they move.
 */
export class InterfaceNames {
  private readonly root = new Set<string>();
  /** Every namespace-side name, in any namespace. */
  private readonly transit = new Set<string>();
  private readonly perNamespace = new Map<string, Set<string>>();

  /** The names of a resolved document, leaving out the veth ends whose keys (`LINK.a`) are in `exclude`. */
  static of(r: Resolved, exclude: ReadonlySet<string> = new Set()): InterfaceNames {
    const names = new InterfaceNames();
    if (r.uplink !== undefined) names.reserve(null, r.uplink);
    for (const i of r.ifaces) if (!exclude.has(i.key)) names.reserve(i.netns, i.name);
    return names;
  }

  /** True when `name` may be used for a new interface in `netns`. */
  isFree(netns: Netns, name: string): boolean {
    if (this.root.has(name)) return false;
    return netns === null ? !this.transit.has(name) : !this.perNamespace.get(netns)?.has(name);
  }

  reserve(netns: Netns, name: string): void {
    if (netns === null) {
      this.root.add(name);
      return;
    }
    this.transit.add(name);
    let set = this.perNamespace.get(netns);
    if (!set) this.perNamespace.set(netns, (set = new Set()));
    set.add(name);
  }

  /** Reserves and returns the first free fitted candidate, falling back to `FIRST-1`, `FIRST-2`, ... as the compiler does. */
  propose(netns: Netns, candidates: readonly string[]): string {
    let chosen = candidates.map((c) => fitIfName(c)).find((c) => this.isFree(netns, c));
    const base = candidates[0] ?? 'veth';
    for (let i = 1; chosen === undefined; i++) {
      const fitted = fitIfName(`${base}-${i}`);
      if (this.isFree(netns, fitted)) chosen = fitted;
    }
    this.reserve(netns, chosen);
    return chosen;
  }
}
