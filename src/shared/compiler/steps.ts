/**
 * steps(): orders a plan into fixed phases of small, idempotent steps. Each step is data
 * (argv lists, never shell text), so the exported script and the SSH runner execute the very
 * same thing, and every word stays quotable.
 */
import type { Family } from '../model/net.js';
import type { Plan, PlannedRoute } from './plan.js';
import type { Iface } from '../model/resolve.js';
import { NEIGHBOUR_MARGIN } from './probes.js';
import { netemArgs } from './netem.js';
import { flat } from '../flat.js';

/** The phases of `up`, in order; `down` walks them backwards. */
export const PHASES = ['preflight', 'namespaces', 'bridges', 'links', 'addresses', 'up', 'routes', 'forwarding', 'nat', 'services', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

/** One command: an argv list, optionally with its standard output sent to a file. */
export interface Command {
  argv: string[];
  stdoutTo?: string;
  /** An IPv6 setting: it runs only where the kernel has IPv6 (after ipv6.disable=1 there is nothing to set). */
  ipv6?: true;
}

export interface Step {
  /** Stable id, e.g. `links/red-blue`. */
  id: string;
  phase: Phase;
  /** The document element the step belongs to (null for lab-wide steps). */
  element: string | null;
  /** What the step does, for progress output. */
  title: string;
  /**
   * What the step is about to make, as lines of the lab's record on the host (see
   * RECORD_KINDS): written before the commands run, so an interruption leaves nothing unnamed.
   */
  records?: string[][];
  /** When this check succeeds the commands are skipped (the step is already done). */
  unless?: Command;
  commands: Command[];
  /** Run even when `unless` holds: the ownership tag, which an interrupted run may not have set. */
  after?: Command[];
}

/**
 * The kinds of record lines and their words (WHERE is a namespace name, or `-` for the host).
 * `down` removes what the record names; the last words of route and rule lines are the
 * arguments of `ip route replace` and of the iptables rule.
 */
export const RECORD_KINDS = {
  netns: 'NAME',
  link: 'NAME (made in the host; each end of a veth pair)',
  veth: 'FIRST WHERE MASTER SECOND WHERE MASTER MTU (what makes the pair: when its ends or MTU change, apply makes it anew; when only its bridges do, it re-plugs it)',
  bridge: 'NAME MTU (likewise)',
  dns: 'NAME (/etc/netns/NAME/resolv.conf)',
  dir: 'PATH (made by the lab, removed when empty)',
  addr: 'WHERE DEV ADDRESS',
  route: 'WHERE [-6] TO [via GW] [dev DEV] [metric N]',
  sysctl: 'WHERE KEY',
  chain: 'IPTABLES TABLE CHAIN',
  rule: 'IPTABLES TABLE CHAIN RULE...',
  jump: 'IPTABLES TABLE PARENT CHAIN',
  service: 'NETNS ID HASH (HASH: serviceHash of its command; when the command changes, apply restarts it)',
  qdisc: 'WHERE DEV NETEM-WORDS... (the root netem qdisc of an interface; when its figures change, apply replaces it)',
} as const;
export type RecordKind = keyof typeof RECORD_KINDS;

const HOST = '-';

/** How up writes a namespace's DNS servers into its resolv.conf: printf's format, one line per server (inspect compares with it). */
export const RESOLV_FORMAT = 'nameserver %s\\n';

const cmd = (...argv: string[]): Command => ({ argv });

/*
 * Argument and record lists that steps keep are made with literals, concat() or map(), which
 * size an array to its length: push() and spreads leave room to grow, and a lab of 10,000
 * namespaces keeps over 200,000 of these lists until the script is written (the garbage
 * collector copied the slack, a third of the steps' memory).
 */

/** `ip` addressed at a namespace (`ip -n red ...`) or at the host. */
function ip(netns: string | null, ...args: string[]): Command {
  return ipWith(netns, args);
}

/**
 * Keeps an interface without IPv6 addresses in the drawing without any: no link-local address, so
 * none of the IPv6 chatter that comes with one (duplicate address detection, router solicitations,
 * multicast listener reports). On a bridge of 1,000 ports each such message is flooded to every
 * port: thousands a second after up, slowing up and verify. Set before the interface goes up.
 */
function quiet(netns: string | null, name: string): Command {
  return { argv: addressed('ip', netns, ['link', 'set', name, 'addrgenmode', 'none']), ipv6: true };
}

/** ip() with its arguments as a list. */
function ipWith(netns: string | null, args: readonly string[]): Command {
  return { argv: addressed('ip', netns, args) };
}

/** `TOOL [-n NETNS] ARGS...` as one exact-size list, without a list for the head. */
function addressed(tool: string, netns: string | null, args: readonly string[]): string[] {
  const head = netns === null ? 1 : 3;
  const argv = new Array<string>(head + args.length);
  argv[0] = tool;
  if (netns !== null) {
    argv[1] = '-n';
    argv[2] = netns;
  }
  for (let i = 0; i < args.length; i++) argv[head + i] = args[i]!;
  return argv;
}

/** `tc` addressed at a namespace (`tc -n red ...`) or at the host. */
function tc(netns: string | null, ...args: string[]): Command {
  return { argv: addressed('tc', netns, args) };
}

function iptablesFor(family: Family): string {
  return family === 4 ? 'iptables' : 'ip6tables';
}

function where(i: Iface): string {
  return i.netns === null ? (i.master ? `on ${i.master}` : 'on the host') : `in ${i.netns}`;
}

function routeArgs(r: PlannedRoute): string[] {
  const args = r.family === 6 ? ['-6', 'route', 'replace', r.to] : ['route', 'replace', r.to];
  if (r.via !== undefined) args.push('via', r.via);
  if (r.dev !== undefined) args.push('dev', r.dev);
  if (r.metric !== undefined) args.push('metric', String(r.metric));
  return args;
}

function routeRecord(where: string, r: PlannedRoute): string[] {
  // Without `route replace`, the words select the route for `ip [-6] route del`.
  const args = routeArgs(r);
  const at = args.indexOf('route');
  return ['route', where].concat(args.slice(0, at), args.slice(at + 2));
}

/** The sysctl that turns on forwarding for an address family. */
export function forwardingKey(f: Family): string {
  return f === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
}

/** The sysctl that caps the kernel's neighbour table of an address family, for every namespace at once. */
export function neighbourKey(f: Family): string {
  return f === 4 ? 'net.ipv4.neigh.default.gc_thresh3' : 'net.ipv6.neigh.default.gc_thresh3';
}

/** The kernel's default for neighbourKey(): 1024 entries. */
export const NEIGHBOUR_DEFAULT_LIMIT = 1024;

/**
 * Neighbour entries the lab holds when every namespace (and the host) has just talked through
 * each gateway of its routes: one at each end. Beyond the kernel's limit, less NEIGHBOUR_MARGIN
 * for the rest of the machine, new neighbours fail while the old ones are fresh.
 */
export function neighbourNeed(plan: Plan): Record<Family, number> {
  // Gateways per place (a namespace name, or - for the host), each counted once.
  const gateways: Record<Family, Map<string, Set<string>>> = { 4: new Map(), 6: new Map() };
  const add = (where: string, r: PlannedRoute): void => {
    if (r.via === undefined) return;
    const known = gateways[r.family].get(where);
    if (known) known.add(r.via);
    else gateways[r.family].set(where, new Set([r.via]));
  };
  for (const ns of plan.namespaces) for (const r of ns.routes) add(ns.name, r);
  for (const r of plan.host.routes) add(HOST, r);
  const pairs = (f: Family): number => {
    let n = 0;
    for (const vias of gateways[f].values()) n += vias.size;
    return n;
  };
  return { 4: 2 * pairs(4), 6: 2 * pairs(6) };
}

/** The limit a lab asks the host for, when its need does not fit in the default: rounded up to a multiple of 1024. */
export function neighbourLimit(need: number): number | undefined {
  if (need + NEIGHBOUR_MARGIN <= NEIGHBOUR_DEFAULT_LIMIT) return undefined;
  return Math.ceil((need + NEIGHBOUR_MARGIN) / 1024) * 1024;
}

function addressArgs(text: string, dev: string): string[] {
  // IPv6 addresses skip duplicate address detection, or they stay "tentative" for seconds.
  return text.includes(':') ? ['addr', 'replace', text, 'dev', dev, 'nodad'] : ['addr', 'replace', text, 'dev', dev];
}

/** Where `ip link add` makes a veth end: `netns NAME`, or nothing for the host. */
function netnsArgs(end: Iface): string[] {
  return end.netns !== null ? ['netns', end.netns] : [];
}

/** Rules the lab keeps in its own FORWARD chain, for one address family. */
function forwardRules(plan: Plan, family: Family): string[][] {
  const rules: string[][] = [];
  for (const dev of plan.firewall.acceptIfaces) {
    rules.push(['-i', dev, '-j', 'ACCEPT']);
    rules.push(['-o', dev, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  }
  for (const p of plan.firewall.portForwards.filter((x) => x.family === family)) {
    rules.push(['-d', p.to, '-p', p.proto, '--dport', String(p.toPort), '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']);
  }
  return rules;
}

/** The jumps from the built-in chains into the lab's chains: [table, built-in chain, lab chain, insert?]. */
export function chainHooks(plan: Plan, family: Family): Array<{ table: string; parent: string; chain: string; insert: boolean }> {
  const hooks: Array<{ table: string; parent: string; chain: string; insert: boolean }> = [];
  if (plan.firewall.families.includes(family)) hooks.push({ table: 'filter', parent: 'FORWARD', chain: plan.chains.forward, insert: true });
  const nat = (list: { family: Family }[]) => list.some((x) => x.family === family);
  if (nat(plan.firewall.portForwards)) {
    hooks.push({ table: 'nat', parent: 'PREROUTING', chain: plan.chains.prerouting, insert: false });
    hooks.push({ table: 'nat', parent: 'OUTPUT', chain: plan.chains.output, insert: false });
  }
  if (nat(plan.firewall.masquerade)) hooks.push({ table: 'nat', parent: 'POSTROUTING', chain: plan.chains.postrouting, insert: false });
  return hooks;
}

/**
 * A short fingerprint of a service's command for its record line (record lines are words; the
 * command has spaces and quotes): FNV-1a, 32 bits, as 8 hex digits. Apply compares it.
 */
export function serviceHash(command: string): string {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(command);
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The ordered steps of `up`, in a list (eachUpStep makes them one at a time). */
export function upSteps(plan: Plan): Step[] {
  const steps: Step[] = [];
  eachUpStep(plan, (s) => {
    steps.push(s);
  });
  return steps;
}

/**
 * Makes the steps of `up` one at a time, in order (phase by phase, in PHASES' order), and hands
 * each to `add`. lab.sh renders each as it comes, and keeps none: a lab of 10,000 namespaces has
 * 80,000 steps, and kept until the script was written they were half the compile's memory and
 * most of its garbage collection. Its long loops count indexes instead of for...of: it runs once
 * per compile, largely before the optimizing compiler takes it, and there for...of makes an
 * object per element (400,000 of them for 10,000 namespaces).
 */
export function eachUpStep(plan: Plan, add: (s: Step) => void): void {
  const tag = plan.tag;
  // Jumps go in last in their phase, once the chains they lead to are complete.
  const jumps = (table: 'filter' | 'nat'): void => {
    for (const f of [4, 6] as const) {
      const ipt = iptablesFor(f);
      for (const h of chainHooks(plan, f)) {
        if (h.table !== table) continue;
        const jump = ['-m', 'comment', '--comment', plan.tag, '-j', h.chain];
        const phase = table === 'filter' ? 'forwarding' : 'nat';
        add({
          id: flat`${phase}/jump/ipv${f}/${h.parent}`,
          phase,
          element: null,
          title: flat`${ipt} ${h.table} ${h.parent} -> ${h.chain}`,
          records: [['jump', ipt, h.table, h.parent, h.chain]],
          unless: cmd(ipt, '-t', h.table, '-C', h.parent, ...jump),
          commands: [cmd(ipt, '-t', h.table, h.insert ? '-I' : '-A', h.parent, ...(h.insert ? ['1'] : []), ...jump)],
        });
      }
    }
  };

  add({ id: 'preflight', phase: 'preflight', element: null, title: 'check root, tools and name conflicts; lock the lab, read its record', commands: [cmd('nsd_preflight', 'up')] });
  add({ id: 'apply', phase: 'preflight', element: null, title: 'remove what the record has and this drawing does not (when the lab runs already)', commands: [cmd('nsd_apply')] });

  // DNS files first: they need nothing else, and lab.sh then makes the namespaces in one batch.
  let madeEtcNetns = false;
  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    if (ns.dns.length > 0) {
      if (!madeEtcNetns) {
        madeEtcNetns = true;
        // ip netns exec bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
        add({ id: 'namespaces/etc-netns', phase: 'namespaces', element: null, title: 'directory /etc/netns for per-namespace DNS', commands: [cmd('nsd_ensure_dir', '/etc/netns')] });
      }
      add({
        id: `namespaces/${ns.node}/dns`,
        phase: 'namespaces',
        element: ns.node,
        title: flat`DNS for ${ns.name}: ${ns.dns.join(', ')} in /etc/netns/${ns.name}/resolv.conf`,
        records: [['dns', ns.name]],
        commands: [
          cmd('mkdir', '-p', flat`/etc/netns/${ns.name}`),
          { argv: ['printf', RESOLV_FORMAT].concat(ns.dns), stdoutTo: flat`/etc/netns/${ns.name}/resolv.conf` },
        ],
      });
    }
  }
  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    add({
      id: `namespaces/${ns.node}`,
      phase: 'namespaces',
      element: ns.node,
      title: flat`namespace ${ns.name}`,
      records: [['netns', ns.name]],
      unless: cmd('nsd_has_netns', ns.name),
      commands: [cmd('ip', 'netns', 'add', ns.name)],
      // The alias on lo marks the namespace as this lab's, so down never deletes a stranger's.
      after: [ip(ns.name, 'link', 'set', 'lo', 'alias', tag)],
    });
  }

  for (let iB = 0; iB < plan.bridges.length; iB++) {
    const b = plan.bridges[iB]!;
    add({
      id: `bridges/${b.node}`,
      phase: 'bridges',
      element: b.node,
      title: flat`bridge ${b.name}`,
      records: [
        ['bridge', b.name, b.mtu !== undefined ? String(b.mtu) : HOST],
        ['link', b.name],
      ],
      unless: ip(null, 'link', 'show', 'dev', b.name),
      commands: [ip(null, 'link', 'add', b.name, 'type', 'bridge')],
      after: b.addresses.some((a) => a.includes(':')) ? [ip(null, 'link', 'set', b.name, 'alias', tag)] : [ip(null, 'link', 'set', b.name, 'alias', tag), quiet(null, b.name)],
    });
    if (b.mtu !== undefined) add({ id: `bridges/${b.node}/mtu`, phase: 'bridges', element: b.node, title: flat`MTU ${b.mtu} on ${b.name}`, commands: [ip(null, 'link', 'set', b.name, 'mtu', String(b.mtu))] });
  }

  for (let iV = 0; iV < plan.veths.length; iV++) {
    const v = plan.veths[iV]!;
    // Each end is made directly where it belongs (no detour through the host, one command), then
    // tagged where it is; the tags run again on every up, since an interrupted run may have missed them.
    const [first, second] = v.a.netns !== null || v.b.netns === null ? [v.a, v.b] : [v.b, v.a];
    const mtu = v.mtu !== undefined ? ['mtu', String(v.mtu)] : [];
    add({
      id: `links/${v.link}`,
      phase: 'links',
      element: v.link,
      title: flat`veth pair ${first.name} (${where(first)}) <-> ${second.name} (${where(second)})`,
      records: [
        ['veth', first.name, first.netns ?? HOST, first.master ?? HOST, second.name, second.netns ?? HOST, second.master ?? HOST, v.mtu !== undefined ? String(v.mtu) : HOST],
        ['link', first.name],
        ['link', second.name],
      ],
      unless: ip(first.netns, 'link', 'show', 'dev', first.name),
      commands: [ipWith(null, ['link', 'add', first.name].concat(mtu, netnsArgs(first), ['type', 'veth', 'peer', 'name', second.name], mtu, netnsArgs(second)))],
      after: [ip(first.netns, 'link', 'set', first.name, 'alias', tag), ip(second.netns, 'link', 'set', second.name, 'alias', tag)].concat(
        [first, second].filter((end) => !end.addresses.some((a) => a.family === 6)).map((end) => quiet(end.netns, end.name)),
      ),
    });
    for (let iEnd = 0; iEnd < 2; iEnd++) {
      const end = iEnd === 0 ? v.a : v.b;
      if (end.master) {
        add({ id: flat`links/${v.link}/${end.name}/master`, phase: 'links', element: v.link, title: flat`plug ${end.name} into bridge ${end.master}`, commands: [ip(null, 'link', 'set', end.name, 'master', end.master)] });
      }
    }
    for (const side of ['a', 'b'] as const) {
      const n = v.netem?.[side];
      if (!n) continue;
      const end = v[side];
      const words = netemArgs(n);
      // replace: up runs again on a running lab; the figures are what leaves this end (its egress).
      add({
        id: flat`links/${v.link}/${end.name}/netem`,
        phase: 'links',
        element: v.link,
        title: flat`impair what ${end.name} ${where(end)} sends: ${words.join(' ')}`,
        records: [['qdisc', end.netns ?? HOST, end.name].concat(words)],
        commands: [tc(end.netns, 'qdisc', 'replace', 'dev', end.name, 'root', 'netem', ...words)],
      });
    }
  }

  for (let iB = 0; iB < plan.bridges.length; iB++) {
    const b = plan.bridges[iB]!;
    for (const a of b.addresses) add({ id: flat`addresses/${b.node}/${a}`, phase: 'addresses', element: b.node, title: flat`${a} on bridge ${b.name}`, records: [['addr', HOST, b.name, a]], commands: [ipWith(null, addressArgs(a, b.name))] });
  }
  for (let iV = 0; iV < plan.veths.length; iV++) {
    const v = plan.veths[iV]!;
    for (let iEnd = 0; iEnd < 2; iEnd++) {
      const end = iEnd === 0 ? v.a : v.b;
      for (let iA = 0; iA < end.addresses.length; iA++) {
        const a = end.addresses[iA]!;
        add({
          id: flat`addresses/${v.link}/${end.name}/${a.text}`,
          phase: 'addresses',
          element: v.link,
          title: flat`${a.text} on ${end.name} ${where(end)}`,
          records: [['addr', end.netns ?? HOST, end.name, a.text]],
          commands: [ipWith(end.netns, addressArgs(a.text, end.name))],
        });
      }
    }
  }

  for (let iB = 0; iB < plan.bridges.length; iB++) {
    const b = plan.bridges[iB]!;
    add({ id: `up/${b.node}`, phase: 'up', element: b.node, title: flat`bridge ${b.name} up`, commands: [ip(null, 'link', 'set', b.name, 'up')] });
  }
  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    add({ id: `up/${ns.node}/lo`, phase: 'up', element: ns.node, title: flat`lo up in ${ns.name}`, commands: [ip(ns.name, 'link', 'set', 'lo', 'up')] });
  }
  for (let iV = 0; iV < plan.veths.length; iV++) {
    const v = plan.veths[iV]!;
    add({
      id: `up/${v.link}`,
      phase: 'up',
      element: v.link,
      title: flat`${v.a.name} and ${v.b.name} up`,
      commands: [ip(v.a.netns, 'link', 'set', v.a.name, 'up'), ip(v.b.netns, 'link', 'set', v.b.name, 'up')],
    });
  }

  // Routes need their gateway's subnet on an interface that is up: after addresses and links.
  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    for (let iR = 0; iR < ns.routes.length; iR++) {
      const r = ns.routes[iR]!;
      add({ id: flat`routes/${ns.node}/${r.to}`, phase: 'routes', element: ns.node, title: flat`route ${r.to}${r.via ? ` via ${r.via}` : ''} in ${ns.name}`, records: [routeRecord(ns.name, r)], commands: [ipWith(ns.name, routeArgs(r))] });
    }
  }
  for (let iR = 0; iR < plan.host.routes.length; iR++) {
    const r = plan.host.routes[iR]!;
    add({ id: `routes/host/${r.to}`, phase: 'routes', element: 'host', title: flat`host route ${r.to}${r.via ? ` via ${r.via}` : ''}`, records: [routeRecord(HOST, r)], commands: [ipWith(null, routeArgs(r))] });
  }

  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    if (!ns.forwarding) continue;
    const keys = [forwardingKey(4), ...(ns.families.includes(6) ? [forwardingKey(6)] : [])];
    add({
      id: `forwarding/${ns.node}`,
      phase: 'forwarding',
      element: ns.node,
      title: flat`${ns.name} forwards (router)`,
      records: keys.map((k) => ['sysctl', ns.name, k]),
      commands: keys.map((k) => cmd('ip', 'netns', 'exec', ns.name, 'sysctl', '-qw', `${k}=1`)),
    });
  }
  for (let iF = 0; iF < plan.host.forwarding.length; iF++) {
    const f = plan.host.forwarding[iF]!;
    const key = forwardingKey(f);
    // Shared with other labs: nsd_sysctl counts the labs that need it and keeps the value from before the first.
    add({ id: `forwarding/host/ipv${f}`, phase: 'forwarding', element: 'host', title: flat`host forwards IPv${f} (${key}=1)`, records: [['sysctl', HOST, key]], commands: [cmd('nsd_sysctl', key, '1')] });
  }
  const need = neighbourNeed(plan);
  for (const f of [4, 6] as const) {
    const limit = neighbourLimit(need[f]);
    if (limit === undefined) continue;
    const key = neighbourKey(f);
    // Shared like forwarding; only the initial namespace may change it, elsewhere preflight said what to do.
    add({
      id: `forwarding/host/neighbours-ipv${f}`,
      phase: 'forwarding',
      element: null,
      title: flat`host neighbour table holds at least ${limit} IPv${f} entries (${key}), where this host lets the lab change it`,
      records: [['sysctl', HOST, key]],
      commands: [cmd('nsd_sysctl', key, String(limit), 'at-least')],
    });
  }
  for (let iF = 0; iF < plan.firewall.families.length; iF++) {
    const f = plan.firewall.families[iF]!;
    const ipt = iptablesFor(f);
    const chain = plan.chains.forward;
    add({
      id: `forwarding/chain/ipv${f}`,
      phase: 'forwarding',
      element: null,
      title: flat`${ipt} chain ${chain}: accept the lab's traffic even under a FORWARD policy of DROP (Docker, br_netfilter)`,
      records: [['chain', ipt, 'filter', chain]],
      unless: cmd(ipt, '-t', 'filter', '-n', '-L', chain),
      commands: [cmd(ipt, '-t', 'filter', '-N', chain)],
    });
    for (const [n, rule] of forwardRules(plan, f).entries()) {
      add({
        id: flat`forwarding/rule/ipv${f}/${n + 1}`,
        phase: 'forwarding',
        element: null,
        title: flat`${chain}: ${rule.join(' ')}`,
        records: [['rule', ipt, 'filter', chain, ...rule]],
        unless: cmd(ipt, '-t', 'filter', '-C', chain, ...rule),
        commands: [cmd(ipt, '-t', 'filter', '-A', chain, ...rule)],
      });
    }
  }

  jumps('filter');

  for (const f of [4, 6] as const) {
    const ipt = iptablesFor(f);
    const natChains = chainHooks(plan, f).filter((h) => h.table === 'nat');
    for (let iH = 0; iH < natChains.length; iH++) {
      const h = natChains[iH]!;
      add({ id: flat`nat/chain/ipv${f}/${h.chain}`, phase: 'nat', element: null, title: flat`${ipt} nat chain ${h.chain}`, records: [['chain', ipt, 'nat', h.chain]], unless: cmd(ipt, '-t', 'nat', '-n', '-L', h.chain), commands: [cmd(ipt, '-t', 'nat', '-N', h.chain)] });
    }
    for (const m of plan.firewall.masquerade.filter((x) => x.family === f)) {
      const rule = ['-s', m.source, '-o', m.out, '-j', 'MASQUERADE'];
      add({
        id: `nat/${m.id}`,
        phase: 'nat',
        element: m.id,
        title: flat`masquerade ${m.source} out of ${m.out}`,
        records: [['rule', ipt, 'nat', plan.chains.postrouting, ...rule]],
        unless: cmd(ipt, '-t', 'nat', '-C', plan.chains.postrouting, ...rule),
        commands: [cmd(ipt, '-t', 'nat', '-A', plan.chains.postrouting, ...rule)],
      });
    }
    for (const p of plan.firewall.portForwards.filter((x) => x.family === f)) {
      const to = f === 6 ? `[${p.to}]:${p.toPort}` : `${p.to}:${p.toPort}`;
      const match = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-p', p.proto, '--dport', String(p.hostPort)];
      const dnat = ['-j', 'DNAT', '--to-destination', to];
      // Only packets for the host's own addresses: the namespaces' outgoing traffic to the same port elsewhere is left alone.
      const pre = ['-i', p.uplink, ...match, ...dnat];
      // Packets the host sends itself skip PREROUTING; loopback is excluded (127/8 cannot be routed to a namespace).
      const out = [...(f === 4 ? ['!', '-d', '127.0.0.0/8'] : ['!', '-d', '::1/128']), ...match, ...dnat];
      add({
        id: `nat/${p.id}/prerouting`,
        phase: 'nat',
        element: p.id,
        title: flat`forward ${p.proto} port ${p.hostPort} from outside (${p.uplink}) to ${to}`,
        records: [['rule', ipt, 'nat', plan.chains.prerouting, ...pre]],
        unless: cmd(ipt, '-t', 'nat', '-C', plan.chains.prerouting, ...pre),
        commands: [cmd(ipt, '-t', 'nat', '-A', plan.chains.prerouting, ...pre)],
      });
      add({
        id: `nat/${p.id}/output`,
        phase: 'nat',
        element: p.id,
        title: flat`forward ${p.proto} port ${p.hostPort} from the host itself to ${to}`,
        records: [['rule', ipt, 'nat', plan.chains.output, ...out]],
        unless: cmd(ipt, '-t', 'nat', '-C', plan.chains.output, ...out),
        commands: [cmd(ipt, '-t', 'nat', '-A', plan.chains.output, ...out)],
      });
    }
  }

  jumps('nat');

  // Services start once the lab is complete: a server binds its address, a client finds its routes.
  for (let iNs = 0; iNs < plan.namespaces.length; iNs++) {
    const ns = plan.namespaces[iNs]!;
    for (let iSv = 0; iSv < ns.services.length; iSv++) {
      const sv = ns.services[iSv]!;
      add({
        id: flat`services/${ns.node}/${sv.id}`,
        phase: 'services',
        element: ns.node,
        title: flat`service ${sv.id} in ${ns.name}: ${sv.command}`,
        records: [['service', ns.name, sv.id, serviceHash(sv.command)]],
        // A running service, or one that ended on its own (its exit status is kept for status), stays as it is.
        unless: cmd('nsd_service_started', ns.name, sv.id),
        commands: [cmd('nsd_service_start', ns.name, sv.id, sv.command)],
      });
    }
  }

}

/**
 * The steps of `down`: everything the lab's record on the host names, whatever the drawing says
 * now (so they need no plan), kind by kind; each skips what is gone or is no longer the lab's.
 */
export function downSteps(): Step[] {
  const undo = (kinds: RecordKind[], phase: Phase, title: string): Step => ({ id: `${phase}/${kinds[0]}`, phase, element: null, title, commands: [cmd('nsd_undo', ...kinds)] });
  return [
    { id: 'preflight', phase: 'preflight', element: null, title: 'check root and tools, lock the lab, read its record', commands: [cmd('nsd_preflight', 'down')] },
    undo(['service'], 'services', "stop the lab's services (each its process group)"),
    // Namespaces first: deleting them removes their veth pairs in one go of the kernel's, where
    // deleting each pair waits for the kernel on its own. The kernel does that in the background
    // and holds the lock every ip command needs meanwhile, so the steps that need no ip command
    // (iptables, files) come next, while it works.
    undo(['netns'], 'namespaces', 'remove the namespaces (and the processes in them)'),
    // One step: one iptables-restore, built from the record, removes them all.
    undo(['jump', 'chain'], 'nat', "remove the jumps from the host's iptables chains, then the lab's chains and their rules"),
    undo(['dns'], 'namespaces', 'remove the DNS files in /etc/netns'),
    undo(['route'], 'routes', 'remove the host routes'),
    undo(['link'], 'links', "remove the host's veth pairs and bridges"),
    // After the links: writing a forwarding setting waits for the lock the kernel holds while it
    // removes the namespaces (and tries again and again meanwhile, taking the CPU it works on).
    undo(['sysctl'], 'forwarding', 'put back the host settings no other lab needs'),
    undo(['dir'], 'namespaces', 'remove the directories the lab made, when empty'),
    { id: 'state', phase: 'preflight', element: null, title: 'forget the lab: its record and its lock', commands: [cmd('nsd_state_remove')] },
  ];
}

/** The record lines a fresh up of the plan writes, in order, each with its step's element: what apply keeps, the rest of the record goes. */
export function recordLines(steps: readonly Step[]): Array<{ line: string; element: string | null }> {
  return steps.flatMap((s) => (s.records ?? []).map((r) => ({ line: r.join(' '), element: s.element })));
}
