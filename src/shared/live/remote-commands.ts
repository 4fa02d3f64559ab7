/**
 * Into the running lab: what to run on the lab host for a terminal, a command or a packet
 * capture on a node or a link end of a compiled document. Namespace and interface names come
 * from the compiler's plan (never recomputed here); every word is checked and shell-quoted, so
 * the text returned is a command line for a root shell on the host. How it becomes root (sudo)
 * and how it is started (a PTY, the pid line) is src/main/ssh/remote-command.ts's business.
 */
import { IFNAME_MAX, NAME_PATTERN } from '../model/topology.js';
import type { Plan } from '../compiler/plan.js';
import type { TopologyDocument } from '../model/topology.js';
import { shellJoin, shellQuote } from '../compiler/shell.js';

/** Where a node's commands run: inside a namespace, or (null) in the host's root namespace. */
export interface NodeTarget {
  node: string;
  netns: string | null;
}

/** One end of a link to capture on: the namespace (null: the host) and interface holding it. */
export interface CaptureEnd {
  link: string;
  end: 'a' | 'b';
  /** The node holding this end. */
  node: string;
  netns: string | null;
  iface: string;
}

/** A node or link that cannot be entered, with a sentence that says why and what to do. */
export class LiveTargetError extends Error {}

/** The part of a compile result these functions read. */
export interface CompiledLab {
  doc: TopologyDocument;
  plan: Plan;
}

/** The apt package that brings tcpdump (named when the host lacks it). */
export const TCPDUMP_PACKAGE = 'tcpdump';

/** The exit status of the capture command when tcpdump is missing on the host (the shell's "command not found"). */
export const TOOL_MISSING_STATUS = 127;

function checkName(what: string, name: string, max = 64): string {
  if (!NAME_PATTERN.test(name) || name.length > max) throw new LiveTargetError(`${what} "${name}" is not a valid name; refusing to put it on a command line`);
  return name;
}

/** Node kinds that hold a shell: namespaces (routers are namespaces) and the host; bridges and the internet do not. */
export function nodeHasShell(kind: string | undefined): boolean {
  return kind === 'namespace' || kind === 'host';
}

/** The namespace (or the host) of node `nodeId`: namespaces and routers have one, the host node has none; bridges and the internet hold no shell. */
export function nodeTarget(lab: CompiledLab, nodeId: string): NodeTarget {
  const node = lab.doc.nodes.find((n) => n.id === nodeId);
  if (!node) {
    const openable = lab.doc.nodes.filter((n) => nodeHasShell(n.kind)).map((n) => n.id);
    throw new LiveTargetError(`node "${nodeId}" is not in lab ${lab.plan.lab}; pick one of: ${openable.join(', ') || '(none)'}`);
  }
  if (node.kind === 'host') return { node: node.id, netns: null };
  if (node.kind === 'namespace') {
    const ns = lab.plan.namespaces.find((n) => n.node === node.id);
    if (!ns) throw new LiveTargetError(`node "${nodeId}" has no namespace in the plan`);
    return { node: node.id, netns: checkName('namespace', ns.name) };
  }
  throw new LiveTargetError(`node "${nodeId}" is a ${node.kind}: it has no shell of its own; open a terminal on a namespace, a router or the host`);
}

/**
 * `argv` run inside the node's namespace (`ip netns exec NS ...`), or as it is on the host; quoted
 * for a root shell, which it replaces (`exec`), so the command is the process a stop signals.
 */
export function execCommand(target: NodeTarget, argv: readonly string[]): string {
  if (argv.length === 0) throw new LiveTargetError('no command given; write it after "--"');
  const prefix = target.netns === null ? [] : ['ip', 'netns', 'exec', checkName('namespace', target.netns)];
  return `exec ${shellJoin([...prefix, ...argv])}`;
}

/** The prompt of a terminal: the node's id, so several terminals are told apart. */
export function terminalPrompt(target: NodeTarget): string {
  return `${checkName('node', target.node)}:\\w# `;
}

/** An interactive bash in the node's namespace (without the user's rc files, which may print or change the prompt). */
export function shellCommand(target: NodeTarget): string {
  return execCommand(target, ['env', `PS1=${terminalPrompt(target)}`, 'bash', '--norc', '-i']);
}

/**
 * The link end written `LINK`, `LINK.a` or `LINK.b` (LINK is the link's id; a bare id means end a).
 * A link id that itself ends in ".a" is taken whole first.
 */
export function captureEnd(lab: CompiledLab, spec: string): CaptureEnd {
  const veths = lab.plan.veths;
  let link = veths.find((v) => v.link === spec);
  let end: 'a' | 'b' = 'a';
  if (!link) {
    const m = /^(.*)\.([ab])$/.exec(spec);
    if (m) {
      link = veths.find((v) => v.link === m[1]);
      end = m[2] as 'a' | 'b';
    }
  }
  if (!link) {
    const id = /^(.*)\.[ab]$/.exec(spec)?.[1] ?? spec;
    if (lab.doc.links.some((l) => l.id === id || l.id === spec)) {
      throw new LiveTargetError(`link "${id}" is the host's uplink, not a cable of the lab; capture on the host itself: nsd exec FILE HOST -- tcpdump -i ${lab.plan.host.uplink ?? 'eth0'}`);
    }
    throw new LiveTargetError(`link "${id}" is not in lab ${lab.plan.lab}; pick one of: ${veths.map((v) => v.link).join(', ') || '(none)'}`);
  }
  const iface = link[end];
  return {
    link: link.link,
    end,
    node: iface.node,
    netns: iface.netns === null ? null : checkName('namespace', iface.netns),
    iface: checkName('interface', iface.name, IFNAME_MAX),
  };
}

export interface CaptureOptions {
  /** Stop after this many packets. */
  count?: number;
  /** The raw pcap stream on stdout (`-U -w -`) instead of one summary line per packet. */
  pcap: boolean;
  /** A BPF filter, as the words the user wrote. */
  filter?: readonly string[];
}

/**
 * tcpdump on one link end: `-l -nn` line summaries, or with `pcap` the raw stream (`-U -w -`,
 * written per packet so a stop loses nothing). A missing tcpdump exits TOOL_MISSING_STATUS with
 * a sentence naming its package.
 */
export function captureCommand(end: CaptureEnd, options: CaptureOptions): string {
  const filter = checkedFilter(options.filter);
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count > 0)) {
    throw new LiveTargetError(`the packet count ${options.count} is not a positive whole number`);
  }
  const argv = [
    'tcpdump',
    '-i',
    end.iface,
    ...(options.pcap ? ['-U', '-w', '-'] : ['-l', '-nn']),
    ...(options.count !== undefined ? ['-c', String(options.count)] : []),
    ...(filter ? [filter] : []),
  ];
  return `${TCPDUMP_CHECK}; ${execCommand(end, argv)}`;
}

/**
 * The designer's capture: one tcpdump on the link end writes the raw pcap stream to stdout
 * (kept, for Save .pcap), and a second reads that stream back (`tcpdump -r - -l -nn`) to write one
 * summary line per packet to stderr (the live list): the list and the saved file hold the same
 * packets. Everything runs in one process group, which a stop ends.
 */
export function captureStreamCommand(end: CaptureEnd, options: Pick<CaptureOptions, 'filter'>): string {
  const filter = checkedFilter(options.filter);
  const capture = shellJoin(['tcpdump', '-i', end.iface, '-U', '-w', '-', ...(filter ? [filter] : [])]);
  const pipeline = `{ ${capture} | tee /dev/fd/3 | tcpdump -r - -l -nn >&2; } 3>&1`;
  return `${TCPDUMP_CHECK}; ${execCommand(end, ['sh', '-c', pipeline])}`;
}

function checkedFilter(words: readonly string[] | undefined): string {
  const filter = (words ?? []).join(' ').trim();
  if (filter.startsWith('-')) throw new LiveTargetError(`the capture filter "${filter}" starts with "-"; a BPF filter is an expression such as "icmp" or "host 10.0.0.1"`);
  return filter;
}

/** Ends the command with TOOL_MISSING_STATUS and a sentence naming the package when the host has no tcpdump. */
const TCPDUMP_CHECK = `command -v tcpdump >/dev/null 2>&1 || { echo ${shellQuote(`nsd: tcpdump is not installed on the lab host (on Debian or Ubuntu: apt-get install ${TCPDUMP_PACKAGE})`)} >&2; exit ${TOOL_MISSING_STATUS}; }`;
