/**
 * The topology document, version 1: defined once here with zod; the TypeScript types and the
 * shipped JSON Schema (schema/topology.schema.json) are both derived from these schemas.
 */
import { z } from 'zod';
import { cidrProblem, ipProblem, parseCidr } from './net.js';
import { isDefaultWord } from './routes.js';

/** Names that reach the shell: namespaces, bridges, interfaces, ids. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The kernel's limit for interface names (IFNAMSIZ - 1), in bytes. */
export const IFNAME_MAX = 15;
/** Longest namespace name or element id we accept. */
export const NAME_MAX = 64;
/** Longest lab name: it is part of iptables chain names (28 bytes at most). */
export const LAB_NAME_MAX = 16;

/** How to write a valid name, for messages. */
export const NAME_RULE = 'use a letter or digit first, then only letters, digits, "_", "." or "-"';

function name(max: number, what: string) {
  return z
    .string()
    .min(1, { message: `${what} is empty; ${NAME_RULE}` })
    .max(max, { message: `${what} is longer than ${max} characters; shorten it` })
    .regex(NAME_PATTERN, { message: `${what} is not a valid name; ${NAME_RULE}` });
}

/** An element id: unique across nodes, links, probes and notes. */
export const Id = name(NAME_MAX, 'id').describe('Element id, unique in the document.');
/** A network namespace name (a file under /run/netns). */
export const NamespaceName = name(NAME_MAX, 'namespace name').describe('Network namespace name.');
/** A Linux interface name. */
export const IfName = name(IFNAME_MAX, 'interface name').describe('Interface name, at most 15 bytes.');
/** The lab name: tags every rule and interface the lab makes. */
export const LabName = name(LAB_NAME_MAX, 'lab name').describe('Lab name; tags the iptables chains and interfaces the lab owns.');

/** An interface address with its prefix length, IPv4 or IPv6. */
export const CidrText = z
  .string()
  .superRefine((s, ctx) => {
    const problem = cidrProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Address with prefix length, e.g. 192.168.15.1/24 or fd00:15::1/64.');

/** A bare IPv4 or IPv6 address. */
export const IpText = z
  .string()
  .superRefine((s, ctx) => {
    const problem = ipProblem(s);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('IPv4 or IPv6 address without prefix.');

/** A destination for a route: `default` or a subnet. */
export const RouteDestination = z
  .string()
  .refine((s) => isDefaultWord(s) || parseCidr(s) !== undefined, {
    message: 'is not a route destination; write "default", "default6" or a subnet like 10.0.0.0/8',
  })
  .describe('"default" (IPv4), "default6" (IPv6) or a subnet.');

export const Position = z.strictObject({ x: z.number().finite(), y: z.number().finite() }).describe('Canvas position; ignored by the compiler.');

/**
 * Text without control characters: a NUL makes lab.sh a binary file bash refuses to run, and an
 * escape sequence would rewrite the terminal of whoever prints it. Multi-line text keeps its
 * tabs and line breaks; one-line text has none.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const MULTILINE_TEXT_PATTERN = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
/** One line of text: no control characters at all. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const ONE_LINE_TEXT_PATTERN = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

function freeText(max: number, multiline: boolean) {
  const message = multiline
    ? 'is not plain text: it has a control character (shown as \\u....); remove it (tabs and line breaks are fine)'
    : 'is not one line of plain text: it has a control character or line break (shown as \\u.... or \\n); remove it';
  return z
    .string()
    .max(max)
    .regex(multiline ? MULTILINE_TEXT_PATTERN : ONE_LINE_TEXT_PATTERN, { message });
}

const Notes = freeText(10_000, true).describe('Free text; ignored by the compiler.');

export const Route = z
  .strictObject({
    to: RouteDestination,
    via: IpText.optional().describe('Gateway address on a connected subnet.'),
    dev: IfName.optional().describe('Outgoing interface, for a route without gateway.'),
    metric: z.number().int().min(0).max(4294967295).optional(),
  })
  .refine((r) => r.via !== undefined || r.dev !== undefined, {
    message: 'needs a gateway ("via") or an interface ("dev")',
  });

/** Longest service command, in characters. */
export const SERVICE_COMMAND_MAX = 4000;

/**
 * A program the lab keeps running in a namespace: a shell command line, started after up in the
 * background (its own process group, its output in the lab's state directory on the host) and
 * stopped at down; apply restarts it only when its command changes.
 */
export const Service = z.strictObject({
  id: Id.describe('Service id, unique among the services of its node.'),
  command: freeText(SERVICE_COMMAND_MAX, false)
    .min(1, { message: 'is empty; write the command line to run in the namespace, e.g. python3 -m http.server 80' })
    .refine((s) => s.trim().length > 0, { message: 'is only blanks; write the command line to run in the namespace, e.g. python3 -m http.server 80' })
    .describe('Shell command line run with bash -c inside the namespace, e.g. python3 -m http.server 80.'),
});

const common = {
  id: Id,
  position: Position.optional(),
  notes: Notes.optional(),
};

/** The name server the designer proposes (and the validator suggests) for a namespace that reaches the outside without one. */
export const SUGGESTED_DNS = '1.1.1.1';

export const NamespaceNode = z.strictObject({
  ...common,
  kind: z.literal('namespace'),
  name: NamespaceName.optional().describe('Namespace name; defaults to the id.'),
  router: z.boolean().default(false).describe('Drawn as a router; forwards between its interfaces unless forwarding is set to false.'),
  forwarding: z.boolean().optional().describe('IP forwarding inside the namespace; defaults to the router flag.'),
  routes: z.array(Route).default([]),
  dns: z.array(IpText).max(3).default([]).describe('Name servers written to /etc/netns/NAME/resolv.conf.'),
  services: z.array(Service).max(100).default([]).describe('Programs started in the namespace after up and stopped at down.'),
});

export const BridgeNode = z.strictObject({
  ...common,
  kind: z.literal('bridge'),
  name: IfName.optional().describe('Bridge interface name in the host; defaults to the id.'),
  addresses: z.array(CidrText).default([]).describe('Host addresses on the bridge: how the host reaches the segment, and the gateway for its namespaces.'),
  mtu: z.number().int().min(68).max(65535).optional(),
});

export const HostNode = z.strictObject({
  ...common,
  kind: z.literal('host'),
  uplink: IfName.default('eth0').describe("The host's interface towards the outside world."),
  forwarding: z.boolean().optional().describe('IP forwarding in the host; on by default when NAT, port forwards or routing through the host need it.'),
  routes: z.array(Route).default([]),
});

export const InternetNode = z.strictObject({
  ...common,
  kind: z.literal('internet'),
  target: IpText.optional().describe('An outside address that verify pings from namespaces with NAT.'),
});

export const Node = z.discriminatedUnion('kind', [NamespaceNode, BridgeNode, HostNode, InternetNode]);

/** Largest netem delay or jitter, in milliseconds (a minute). */
export const NETEM_MAX_MS = 60_000;
/** Largest netem rate, in Mbit/s (100 Gbit/s). */
export const NETEM_MAX_MBIT = 100_000;

const percent = (what: string) =>
  z.number().min(0).max(100).optional().describe(`${what}, in percent of the packets (0-100).`);

/**
 * Link impairments (Linux netem), one-way: applied to what leaves an interface (its egress), so a
 * link's figures hold in each direction and a ping across a link with delayMs 50 takes ~100 ms.
 */
export const Netem = z
  .strictObject({
    delayMs: z.number().min(0).max(NETEM_MAX_MS).optional().describe('Added delay, in milliseconds, one way.'),
    jitterMs: z.number().min(0).max(NETEM_MAX_MS).optional().describe('Random variation of the delay, in milliseconds (needs delayMs).'),
    lossPercent: percent('Packets dropped at random'),
    rateMbit: z.number().positive().max(NETEM_MAX_MBIT).optional().describe('Bandwidth limit, in Mbit/s (whole kbit/s).'),
    duplicatePercent: percent('Packets sent twice'),
    corruptPercent: percent('Packets with a flipped bit'),
  })
  .describe('Link impairments (netem): delay, jitter, loss, rate, duplication, corruption; one-way figures.');

export const LinkEnd = z.strictObject({
  node: Id.describe('Id of the node this end is attached to.'),
  ifname: IfName.optional().describe('Interface name; generated in the veth-NAME / veth-NAME-br style when omitted.'),
  addresses: z.array(CidrText).default([]),
  netem: Netem.optional().describe("Impairments of what this end sends (its egress), instead of the link's: for an asymmetric link."),
});

export const Link = z.strictObject({
  id: Id,
  a: LinkEnd,
  b: LinkEnd,
  mtu: z.number().int().min(68).max(65535).optional(),
  netem: Netem.optional().describe("Impairments of both directions (the egress of each end); an end's own netem overrides it."),
  notes: Notes.optional(),
});

export const Masquerade = z.strictObject({
  id: Id,
  source: CidrText.describe('Source subnet to masquerade, e.g. 192.168.15.0/24.'),
  out: IfName.optional().describe("Outgoing interface; defaults to the host's uplink."),
});

export const PortForward = z.strictObject({
  id: Id,
  proto: z.enum(['tcp', 'udp']).default('tcp'),
  hostPort: z.number().int().min(1).max(65535).describe('Port on the host that outside clients (and the host itself) connect to.'),
  to: IpText.describe('Address of a namespace.'),
  toPort: z.number().int().min(1).max(65535).optional().describe('Port in the namespace; defaults to hostPort.'),
});

export const Nat = z.strictObject({
  masquerade: z.array(Masquerade).default([]),
  portForwards: z.array(PortForward).default([]),
});

export const Probe = z.strictObject({
  id: Id,
  from: Id.describe('Node id the probe runs in (a namespace or the host).'),
  to: z.string().min(1).describe('Node id (its first address is used), or an IP address.'),
  kind: z.enum(['ping', 'tcp']).default('ping'),
  port: z.number().int().min(1).max(65535).optional(),
  expect: z.enum(['reachable', 'unreachable']).default('reachable'),
});

export const Note = z.strictObject({ id: Id, text: Notes, position: Position.optional() });

export const TopologyDocument = z.strictObject({
  $schema: freeText(2000, false).optional().describe('Where editors find this JSON Schema; ignored by the compiler.'),
  version: z.literal(1).describe('Document format version.'),
  name: LabName,
  title: freeText(200, true).optional().describe('A line or two about the lab; lab.sh folds line breaks into one comment line.'),
  description: freeText(10_000, true).optional(),
  nodes: z.array(Node).max(100_000).default([]),
  links: z.array(Link).max(200_000).default([]),
  nat: Nat.default({ masquerade: [], portForwards: [] }),
  probes: z.array(Probe).default([]),
  notes: z.array(Note).default([]),
});

export type TopologyDocument = z.infer<typeof TopologyDocument>;
/** The document as written by a user (defaults not yet applied). */
export type TopologyInput = z.input<typeof TopologyDocument>;
export type Node = z.infer<typeof Node>;
export type NamespaceNode = z.infer<typeof NamespaceNode>;
export type BridgeNode = z.infer<typeof BridgeNode>;
export type HostNode = z.infer<typeof HostNode>;
export type InternetNode = z.infer<typeof InternetNode>;
export type Link = z.infer<typeof Link>;
export type LinkEnd = z.infer<typeof LinkEnd>;
export type Netem = z.infer<typeof Netem>;
export type Route = z.infer<typeof Route>;
export type Masquerade = z.infer<typeof Masquerade>;
export type PortForward = z.infer<typeof PortForward>;
export type Probe = z.infer<typeof Probe>;
export type Service = z.infer<typeof Service>;
export type NodeKind = Node['kind'];

/** The JSON Schema of the document, for editors validating `.json` topologies. */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TopologyDocument, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'Netns Designer topology, version 1',
  };
}
