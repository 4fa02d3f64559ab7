/**
 * renderPlain(): the lab as plain commands, for reading and teaching. The same `Step[]` as
 * lab.sh, written the way the tutorial writes them: each step's comment and its commands in
 * order, with no guards (`unless` checks), no ownership tags, no library functions and no
 * verify. lab.sh stays what the designer and nsd deploy run; this script assumes a host that
 * has none of the lab's names yet, and removing the lab is a list of commands at its end.
 */
import { DEFAULT_STATE_DIR, GENERATOR, oneLine, PHASE_NOTES, renderCommand } from './render-bash.js';
import type { Plan } from './plan.js';
import { shellJoin, shellQuote } from './shell.js';
import { downSteps, upSteps, type Command, type Phase, type RecordKind, type Step } from './steps.js';

/** One line of the plain script: a command, a note (a comment), or shell text built here from quoted words. */
type Line = { command: Command } | { note: string } | { text: string };

const run = (...argv: string[]): Line => ({ command: { argv } });

/** The directory a service runs in, as lab.sh makes it with no NSD_STATE_DIR: its log is ID.log beside it. */
function serviceDir(plan: Plan, netns: string, id: string): string {
  return `${DEFAULT_STATE_DIR}/${plan.lab}/services/${netns}/${id}`;
}

/** `ip -n NS ARGS` (and `tc -n NS ARGS`) as the tutorial writes it (`ip netns exec NS ip ARGS`), and `replace` as `add`. */
function tutorialIp(argv: readonly string[]): string[] {
  const [tool, flag, netns, ...rest] = argv;
  const words = (tool === 'ip' || tool === 'tc') && flag === '-n' && netns !== undefined ? ['ip', 'netns', 'exec', netns, tool, ...rest] : [...argv];
  // On a fresh host `add` is what the tutorial types; lab.sh uses `replace` so that up can run twice.
  const ipAt = Math.max(words.lastIndexOf('ip'), words.lastIndexOf('tc'));
  const object = words.findIndex((w, i) => i > ipAt && (w === 'addr' || w === 'route' || w === 'qdisc'));
  if (object >= 0 && words[object + 1] === 'replace') words[object + 1] = 'add';
  return words;
}

/** Drops the `-m comment --comment TAG` that marks a lab.sh rule as the lab's own. */
function withoutTag(argv: readonly string[], tag: string): string[] {
  const at = argv.findIndex((w, i) => w === '-m' && argv[i + 1] === 'comment' && argv[i + 2] === '--comment' && argv[i + 3] === tag);
  return at < 0 ? [...argv] : [...argv.slice(0, at), ...argv.slice(at + 4)];
}

/** The plain lines of one lab.sh command of `up`. */
function upLines(c: Command, plan: Plan): Line[] {
  const [head, ...args] = c.argv;
  // A plain script expects a fresh host: nothing to check, nothing of an earlier run to remove.
  if (head === 'nsd_preflight' || head === 'nsd_apply') return [];
  if (head === 'nsd_ensure_dir') return [run('mkdir', '-p', ...args)];
  if (head === 'nsd_sysctl') return [run('sysctl', '-w', `${args[0]}=${args[1]}`)];
  if (head === 'nsd_service_start') {
    // In a session of its own (it outlives this script), in a directory of its own, its output in
    // a file beside it: where lab.sh keeps them too.
    const [netns, id, command] = args as [string, string, string];
    const dir = serviceDir(plan, netns, id);
    const start = shellJoin(['ip', 'netns', 'exec', netns, 'setsid', '-f', 'bash', '-c', command]);
    return [{ text: `(mkdir -p ${shellQuote(dir)} && cd ${shellQuote(dir)} && ${start} </dev/null >${shellQuote(`../${id}.log`)} 2>&1)` }];
  }
  // The alias on lo and on each interface only tells lab.sh what is its own.
  if (head === 'ip' && c.argv.at(-2) === 'alias' && c.argv.at(-1) === plan.tag) return [];
  if (head?.startsWith('nsd_')) return [{ note: `lab.sh: ${shellJoin(c.argv)}` }];
  return [{ command: { ...c, argv: tutorialIp(withoutTag(c.argv, plan.tag)) } }];
}

/**
 * The plain commands that undo one line of the lab's record (what up made), or none when it goes
 * with something removed anyway: an interface or route inside a namespace goes with the
 * namespace, a rule with its chain, a veth pair with either end. lab.sh's `down` reads the same
 * record; here the record comes from the steps.
 */
function undoLines(words: readonly string[], plan: Plan, removed: Set<string>): Line[] {
  const [kind, ...args] = words;
  const HOST = '-';
  const del = (name: string): Line[] => {
    if (removed.has(name)) return [];
    removed.add(name);
    return [run('ip', 'link', 'del', name)];
  };
  switch (kind) {
    case 'jump': {
      const [ipt, table, parent, chain] = args as [string, string, string, string];
      return [run(ipt, '-t', table, '-D', parent, '-j', chain)];
    }
    case 'chain': {
      const [ipt, table, chain] = args as [string, string, string];
      return [run(ipt, '-t', table, '-F', chain), run(ipt, '-t', table, '-X', chain)];
    }
    case 'route': {
      const [where, ...route] = args;
      return where === HOST ? [run('ip', 'route', 'del', ...route)] : [];
    }
    case 'veth': {
      const [first, firstWhere, , second, secondWhere] = args as [string, string, string, string, string];
      const host = firstWhere === HOST ? first : secondWhere === HOST ? second : undefined;
      const lines = host === undefined ? [] : del(host);
      removed.add(first);
      removed.add(second);
      return lines;
    }
    case 'bridge':
      return del(args[0]!);
    case 'link':
      // Made in the host, then moved into a namespace: it goes with the namespace.
      return plan.transitNames.includes(args[0]!) ? [] : del(args[0]!);
    case 'netns':
      return [run('ip', 'netns', 'del', args[0]!)];
    case 'service': {
      // ip netns del leaves a namespace with processes in it alive: its services go first.
      const netns = args[0]!;
      const lines: Line[] = [];
      if (!removed.has(`pids ${netns}`)) {
        removed.add(`pids ${netns}`);
        lines.push({ text: `ip netns pids ${shellQuote(netns)} | xargs -r kill` });
      }
      const dir = serviceDir(plan, netns, args[1]!);
      return [...lines, run('rm', '-rf', dir, `${dir}.log`), run('rmdir', '-p', '--ignore-fail-on-non-empty', dir.slice(0, dir.lastIndexOf('/')))];
    }
    case 'dns':
      return [run('rm', '-r', `/etc/netns/${args[0]!}`)];
    case 'sysctl':
      return args[0] === HOST ? [{ note: `${args[1]!} was set to 1: set it back if it was 0 before (sysctl -w ${args[1]!}=0)` }] : [];
    case 'dir':
      return [run('rmdir', '--ignore-fail-on-non-empty', args[0]!)];
    default:
      // rule (goes with its chain), addr and qdisc (go with their interface)
      return [];
  }
}

/** The plain lines of one lab.sh command of `down`: `nsd_undo KIND...` undoes the record's lines of each kind in turn, newest first. */
function downLines(c: Command, records: readonly string[][], plan: Plan, removed: Set<string>): Line[] {
  const [head, ...kinds] = c.argv;
  if (head !== 'nsd_undo') return [];
  return kinds.flatMap((kind) =>
    records
      .filter((r) => r[0] === kind)
      .reverse()
      .flatMap((r) => undoLines(r, plan, removed)),
  );
}

function renderLine(line: Line): string {
  if ('note' in line) return `# ${line.note}`;
  if ('text' in line) return line.text;
  return renderCommand(line.command);
}

/**
 * The order in which the plain commands remove the lab, by record kind. Typed by hand, each
 * command is done when it returns, so it is the tutorial's: rules and routes first, then the
 * host's links (a route through one goes with it), the namespaces, their DNS files and the
 * settings. lab.sh's down removes the namespaces first instead and lets the kernel take their veth
 * pairs while it removes the rest (downSteps).
 */
export const PLAIN_DOWN: readonly RecordKind[] = ['service', 'jump', 'chain', 'route', 'link', 'netns', 'dns', 'sysctl', 'dir'];

/** Renders the plain commands of a plan: `up` in order, then the commands that remove the lab, commented out. */
export function renderPlain(plan: Plan, options: { source?: string; up?: Step[]; down?: Step[] } = {}): string {
  const up = options.up ?? upSteps(plan);
  const down = options.down ?? downSteps();
  const out: string[] = [];
  out.push('#!/usr/bin/env bash');
  out.push(`# The network lab "${plan.lab}" as plain commands: ${oneLine(plan.title)}`);
  out.push(`# Generated by ${GENERATOR}${options.source ? ` from ${oneLine(options.source)}` : ''}.`);
  out.push('#');
  out.push('# For reading and teaching: the commands in order, as the tutorial writes them, with no');
  out.push('# checks, no ownership tags and no verify. It expects a host that has none of these names yet.');
  out.push('# lab.sh (nsd compile without --plain) builds the same lab safely, removes it and verifies it.');
  out.push('# Run as root: sudo bash THIS-FILE. The commands that remove the lab are at the end.');
  out.push('set -e');
  let phase: Phase | undefined;
  for (const s of up) {
    const lines = s.commands.flatMap((c) => upLines(c, plan));
    if (lines.length === 0) continue;
    if (s.phase !== phase) {
      phase = s.phase;
      out.push('', `# ${PHASE_NOTES[phase]}`);
    }
    out.push('', `# ${oneLine(s.title)}`, ...lines.map(renderLine));
  }
  out.push('', '# To remove the lab, run these (as root, in this order):');
  const removed = new Set<string>();
  const records = up.flatMap((s) => s.records ?? []);
  const undoes = (s: Step, kind: string) => s.commands.some((c) => c.argv[0] === 'nsd_undo' && c.argv.slice(1).includes(kind));
  // Down's steps in the order a reader types them (PLAIN_DOWN); any other step after them.
  const rank = (s: Step) => {
    const at = PLAIN_DOWN.findIndex((kind) => undoes(s, kind));
    return at < 0 ? PLAIN_DOWN.length : at;
  };
  const plainDown = [...down].sort((a, b) => rank(a) - rank(b));
  for (const s of plainDown) {
    for (const line of s.commands.flatMap((c) => downLines(c, records, plan, removed))) out.push('note' in line ? renderLine(line) : `#   ${renderLine(line)}`);
  }
  return `${out.join('\n')}\n`;
}

/** The commands that remove the lab, from the end of a plain script (what a reader would copy). */
export function plainCleanup(script: string): string[] {
  const at = script.indexOf('\n# To remove the lab,');
  if (at < 0) return [];
  return script
    .slice(at)
    .split('\n')
    .filter((l) => l.startsWith('#   '))
    .map((l) => l.slice(4));
}
