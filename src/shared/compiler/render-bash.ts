/**
 * render(): the one place that turns steps into bash. The exported `lab.sh` and the SSH runner
 * both use it, so what runs is exactly what the user can read.
 */
import { BASH_INSPECT } from './bash-inspect.js';
import { BASH_LIBRARY, TABLE_END } from './bash-library.js';
import { orderByKey } from './order.js';
import type { Plan } from './plan.js';
import { NEIGHBOUR_MARGIN, type Impairment, type PlannedProbe } from './probes.js';
import { isPlainJoin, isPlainWord, shellJoin, shellQuote } from './shell.js';
import { chainHooks, downSteps, forwardingKey, neighbourKey, neighbourLimit, neighbourNeed, RESOLV_FORMAT, eachUpStep, type Command, type Phase, type Step } from './steps.js';
import { LAB_SH_STATUS } from '../exit-codes.js';

/** Where lab.sh keeps each lab's state (record, lock, services) unless NSD_STATE_DIR says otherwise. */
export const DEFAULT_STATE_DIR = '/run/nsd';

/** Version of the generator, printed in every script header. */
export const GENERATOR = 'Netns Designer 0.1.0';

/** What each phase does, as the comment above its steps. */
export const PHASE_NOTES: Record<Phase, string> = {
  preflight: 'Preflight: root, tools, and names that belong to someone else.',
  namespaces: 'Namespaces: each is a room with its own interfaces, routes and ARP table.',
  bridges: 'Bridges: virtual switches in the host.',
  links: 'Links: veth pairs are cables, each end made directly where it belongs (a namespace, or the host).',
  addresses: 'Addresses: on the interfaces made above.',
  up: 'Up: lo and every new interface start down.',
  routes: 'Routes: after addresses and links are up, or the gateway would be unreachable.',
  forwarding: "Forwarding: routers forward; the host forwards for NAT. The lab's own FORWARD chain accepts its traffic even under Docker's policy DROP.",
  nat: "NAT: masquerade out of the uplink; port forwards match only packets addressed to the host (from outside, and from the host itself), never the namespaces' own outgoing traffic.",
  services: "Services: the drawing's programs, each started in its namespace in a session of its own (setsid), its output kept in a file.",
  verify: 'Verify: the probes.',
};

/** A command as bash reads it: its words quoted, and its standard output's file when it has one. */
export function renderCommand(c: Command): string {
  return c.stdoutTo === undefined ? shellJoin(c.argv) : `${shellJoin(c.argv)} >${shellQuote(c.stdoutTo)}`;
}

/** A command as a step runs it: an IPv6 setting only where the kernel has IPv6 (nsd_ipv6). */
function stepCommand(c: Command): string {
  return c.ipv6 ? `nsd_ipv6 ${renderCommand(c)}` : renderCommand(c);
}

/**
 * The commands of a step that cannot be table lines (a word with a line break), as bash reads
 * them: its title and records go to a run table above them (see renderSteps).
 */
function renderCommands(s: Step, out: string[]): void {
  if (!s.unless) {
    for (const c of s.commands) out.push(`  ${stepCommand(c)}`);
  } else if (s.commands.length === 1) {
    out.push(`  ${renderCommand(s.unless)} >/dev/null 2>&1 || ${stepCommand(s.commands[0]!)}`);
  } else {
    out.push(`  if ! ${renderCommand(s.unless)} >/dev/null 2>&1; then`);
    for (const c of s.commands) out.push(`    ${stepCommand(c)}`);
    out.push('  fi');
  }
  for (const c of s.after ?? []) out.push(`  ${stepCommand(c)}`);
}

/** Most lines a chunk of the script collects before they are joined into one of its strings. */
const CHUNK_LINES = 4096;

/**
 * Characters a chunk of the script is joined at: below V8's largest object of its ordinary heap
 * (128 kB), so that a chunk is not an object of its own mapped fresh from the kernel and given
 * back at the next collection (chunks of 4,096 lines, 240 kB, made a 10,000-namespace compile
 * spend a tenth of its time in the joins).
 */
const CHUNK_CHARS = 64 * 1024;

/**
 * Lines of the script, joined a few hundred at a time: one large string is never copied by the
 * garbage collector, where the lines of 10,000 namespaces' steps and probes kept until the final
 * join were.
 */
class Lines {
  /** One list for every chunk, filled by index and joined whole when full: no list grown line by line. */
  private readonly lines = new Array<string>(CHUNK_LINES);
  private count = 0;
  /** Characters of the chunk so far, line breaks included. */
  private chars = 0;
  constructor(private readonly script: string[]) {}

  /** Adds a line; a full chunk goes to the script (the script's strings are joined by line breaks too). */
  line(text: string): void {
    this.lines[this.count++] = text;
    this.chars += text.length + 1;
    if (this.chars >= CHUNK_CHARS || this.count === CHUNK_LINES) this.flush();
  }

  /** Sends the lines of a chunk begun to the script. */
  flush(): void {
    if (this.count === 0) return;
    this.script.push(this.count === CHUNK_LINES ? this.lines.join('\n') : this.lines.slice(0, this.count).join('\n'));
    this.count = 0;
    this.chars = 0;
  }
}

/**
 * A command as a line of an `ip -batch` table, its words after `ip` as written (`ip [-n NS] [-4|-6]
 * ARGS`, every word one `ip -batch` reads exactly as written: no quotes, spaces or comment signs
 * to interpret, the words shellQuote leaves plain), or undefined when it has to run as a command
 * of its own. The line is the command's words joined (its first, `ip`, included; `ip6` for an
 * IPv6 setting).
 */
function batchLine(c: Command): string | undefined {
  const argv = c.argv;
  if (argv[0] !== 'ip' || c.stdoutTo !== undefined || argv.length === 1) return undefined;
  // Walked in place, without a copy of the words: a large lab has hundreds of thousands of these.
  let i = 1;
  while (argv[i]?.startsWith('-')) {
    if (argv[i] === '-n') i += 2;
    else if (argv[i] === '-4' || argv[i] === '-6') i += 1;
    else return undefined;
  }
  if (i >= argv.length) return undefined;
  const line = argv.join(' ');
  if (!isPlainJoin(line, argv.length)) return undefined;
  // An IPv6 setting is an ip6 line: nsd_table leaves it out where the kernel has no IPv6.
  return c.ipv6 ? `ip6${line.slice(2)}` : line;
}

/**
 * True when a record's joined words stay one line of a table and of the record (no tab or line
 * break in any word): every record is, its words being names, addresses and settings.
 */
function oneLineRecord(line: string): boolean {
  return !line.includes('\n') && !line.includes('\t');
}

/** A step's first line in a table: its element ("-" for the lab's own) and title. */
function stepLine(s: Step): string {
  return `step ${s.element ?? '-'} ${oneLine(s.title)}`;
}

/**
 * A command that writes a file, as a line of nsd_table: `mkdir -p DIR` as `dir DIR` (one mkdir
 * then makes them all), a `printf` into a file as `write COMMAND` (bash's own printf). Undefined
 * for any other command.
 */
function fileLine(c: Command): string | undefined {
  const argv = c.argv;
  if (argv[0] === 'mkdir' && argv.length === 3 && argv[1] === '-p' && c.stdoutTo === undefined && argv[2]!.startsWith('/') && isPlainWord(argv[2]!)) return `dir ${argv[2]}`;
  if (argv[0] === 'printf' && c.stdoutTo !== undefined) {
    const line = renderCommand(c);
    return /[\n\r]/.test(line) ? undefined : `write ${line}`;
  }
  return undefined;
}

/**
 * Whether a step can run as data in nsd_table: either all its commands are `ip` commands that batchLine takes (each then a table line of its words as
 * written), with at most one command when the step has a check, or all of them write files
 * (fileLine), with no check and nothing after. Not both kinds: nsd_table writes the files of all
 * its steps before it runs their ip commands. The lines of its commands, then of its commands
 * after, go to `commandLines` (found once, for this check and for the table).
 */
function isTableStep(s: Step, commandLines: string[]): boolean {
  const commands = s.commands;
  if (commands.length === 0 || (s.unless && commands.length !== 1)) return false;
  const lineOf = commands[0]!.argv[0] !== 'ip' ? fileLine : batchLine;
  if (lineOf === fileLine && (s.unless || (s.after && s.after.length > 0))) return false;
  for (let i = 0; i < commands.length; i++) {
    const line = lineOf(commands[i]!);
    if (line === undefined) return false;
    commandLines[i] = line;
  }
  for (let i = 0; i < (s.after?.length ?? 0); i++) {
    const line = batchLine(s.after![i]!);
    if (line === undefined) return false;
    commandLines[commands.length + i] = line;
  }
  return true;
}

/**
 * Adds the table lines of a step that isTableStep() takes: its records and its commands, as
 * isTableStep() found them (the ip command that makes an object is marked `make` when the step
 * has a check: its "File exists" means done).
 */
function pushTableLines(s: Step, out: Lines, recordLines: readonly string[], commandLines: readonly string[]): void {
  out.line(stepLine(s));
  for (let i = 0; i < (s.records?.length ?? 0); i++) out.line(`record ${recordLines[i]!}`);
  const count = s.commands.length + (s.after?.length ?? 0);
  for (let i = 0; i < count; i++) out.line(i === 0 && s.unless ? `make ${commandLines[i]!}` : commandLines[i]!);
}

/**
 * The table lines of a step that runs on its own (any command): its records, its check, its
 * commands and the commands that run even when the check holds, as bash reads them. Undefined
 * when a line would not stay one line.
 */
function runLines(s: Step, recordLines: readonly string[]): string[] | undefined {
  const lines = [stepLine(s)];
  for (let i = 0; i < (s.records?.length ?? 0); i++) lines.push(`record ${recordLines[i]!}`);
  if (s.unless) lines.push(`unless ${renderCommand(s.unless)}`);
  for (const c of s.commands) lines.push(`run ${stepCommand(c)}`);
  for (const c of s.after ?? []) lines.push(`after ${stepCommand(c)}`);
  return lines.some((l) => /[\n\r]/.test(l)) ? undefined : lines;
}

/** What the two kinds of step table say about themselves, above their first line. */
const TABLE_NOTES = {
  ip: [
    '  # These steps run as data: nsd_table writes their record lines first, makes their directories in one',
    '  # mkdir and writes their files, then runs their ip commands in one ip -batch for the host and one',
    '  # per namespace (lines marked make: "File exists" means done).',
  ],
  run: ['  # These steps run one by one: nsd_run_table records, checks (unless) and runs (run, after) each.'],
} as const;

/** Steps handed one at a time to `visit`, in order: a list's, or eachUpStep's as it makes them. */
type EachStep = (visit: (s: Step) => void) => void;

/** The steps of a list, one at a time. */
function eachOf(steps: readonly Step[]): EachStep {
  return (visit) => {
    // Counting, not for...of, which makes an object per step until the optimizing compiler takes this loop.
    for (let i = 0; i < steps.length; i++) visit(steps[i]!);
  };
}

/**
 * Renders steps as a function of step tables (here-documents the library reads): runs of steps
 * whose commands are all `ip` go to nsd_table, in batches; the others to nsd_run_table, one by one.
 * Data keeps the function small at any size (bash crashed on one unrolled block per step). Each
 * step is rendered as it comes, so up's steps need not be kept (see eachUpStep).
 */
function renderSteps(name: string, action: string, steps: EachStep, script: string[], trailer: string[], notes = true): void {
  // The function's first lines, with the count of its steps, once they are all rendered.
  const headAt = script.length;
  script.push('');
  let total = 0;
  // Lines go to the script a chunk at a time, joined: one large string is never copied by the
  // garbage collector, where the pieces of 10,000 namespaces' steps kept until the final join were.
  const out = new Lines(script);
  let phase: Phase | undefined;
  let table: keyof typeof TABLE_NOTES | undefined;
  const endTable = (): void => {
    if (table) out.line(TABLE_END);
    table = undefined;
  };
  // Each step's record lines, joined once, and its command lines, found once for the check and
  // the table; both reused from step to step.
  const recordLines: string[] = [];
  const commandLines: string[] = [];
  steps((s) => {
    total++;
    const recordCount = s.records?.length ?? 0;
    for (let r = 0; r < recordCount; r++) {
      const line = s.records![r]!.join(' ');
      // The record is a file of lines: a step whose record is not one line is a bug of the compiler's, never the drawing's.
      if (!oneLineRecord(line)) throw new Error(`step ${s.id}: its record ${JSON.stringify(line)} is not one line`);
      recordLines[r] = line;
    }
    const ip = isTableStep(s, commandLines);
    const lines = ip ? undefined : runLines(s, recordLines);
    const kind = ip ? 'ip' : 'run';
    if (kind !== table) endTable();
    const changed = s.phase !== phase;
    phase = s.phase;
    if (!table) {
      out.line('');
      for (const note of TABLE_NOTES[kind]) out.line(note);
      out.line(`  ${kind === 'ip' ? 'nsd_table' : 'nsd_run_table'} <<'${TABLE_END}'`);
      table = kind;
      if (notes && changed) out.line(`# ${PHASE_NOTES[phase]}`);
      out.line(`phase ${phase}`);
    } else if (changed) {
      if (notes) out.line(`# ${PHASE_NOTES[phase]}`);
      out.line(`phase ${phase}`);
    }
    if (ip) pushTableLines(s, out, recordLines, commandLines);
    else if (lines) for (const l of lines) out.line(l);
    else {
      // A command with a line break cannot be a line of a table: the step's title and records
      // still are (up's records are read back from its tables, see nsd_want_read), its commands
      // follow as bash.
      out.line(stepLine(s));
      for (let r = 0; r < recordCount; r++) out.line(`record ${recordLines[r]!}`);
      endTable();
      const block: string[] = [];
      renderCommands(s, block);
      for (const l of block) out.line(l);
    }
  });
  script[headAt] = `${name}() {\n  NSD_ACTION=${action} NSD_STEP=0 NSD_TOTAL=${total}`;
  endTable();
  out.line('');
  for (const l of trailer) out.line(`  ${l}`);
  out.line('}');
  out.line('');
  out.flush();
}

function bashArray(name: string, words: readonly string[]): string {
  return `readonly ${name}=(${quotedWords(words)})`;
}

/** shellJoin(words): when every word needs single quotes and has none (lines of words, as NSD_DNS has), one join does it. */
function quotedWords(words: readonly string[]): string {
  if (words.length > 0 && words.every((w) => !isPlainWord(w) && !w.includes("'"))) return `'${words.join("' '")}'`;
  return shellJoin(words);
}

function renderVerify(plan: Plan, probes: readonly PlannedProbe[], script: string[]): void {
  const out = new Lines(script);
  out.line('nsd_verify() {');
  out.line('  nsd_preflight verify');
  out.line('  # Probes\' output is read ("1 received"): the C locale words it the same everywhere, and a probe loads no locale files.');
  out.line('  local -x LC_ALL=C');
  out.line('  local tmp=/tmp');
  out.line('  # Thousands of small files in a big lab: in memory where the host has /dev/shm.');
  out.line('  if [[ -d /dev/shm && -w /dev/shm ]]; then tmp=/dev/shm; fi');
  out.line('  NSD_LISTENERS=()');
  out.line('  # Interrupted (a cancelled run, ^C), verify still stops its listeners and removes its files.');
  out.line('  trap nsd_verify_done EXIT');
  out.line('  nsd_verify_dir "$tmp"');
  if (probes.length === 0) {
    for (const l of ["  echo 'this lab has nothing to probe: add addresses, or probes by hand'", '  nsd_verify_done', '  trap - EXIT', '}', '']) out.line(l);
    out.flush();
    return;
  }
  if (probes.some((p) => p.address === '@uplink')) {
    out.line(`  NSD_UPLINK_ADDRESS=$(ip -4 -o addr show dev "$NSD_UPLINK" | awk '{ split($4, a, "/"); print a[1]; exit }')`);
  }
  if (probes.some((p) => p.address === '@uplink6')) {
    out.line(`  NSD_UPLINK_ADDRESS6=$(ip -6 -o addr show dev "$NSD_UPLINK" scope global | awk '{ split($4, a, "/"); print a[1]; exit }')`);
  }
  const listeners = new Set<string>();
  // Loops over the probes count indexes: for...of makes an object per probe until this run-once function is optimized.
  for (let i = 0; i < probes.length; i++) {
    const p = probes[i]!;
    if (!p.listen) continue;
    const words = [p.listen.netns, p.listen.address, String(p.listen.port)];
    const key = words.join(' ');
    if (listeners.has(key)) continue;
    listeners.add(key);
    out.line(`  nsd_listen ${shellJoin(words)}`);
  }
  // Room for one round of parallel probes before the first wave, or the lab's own entries are flushed first.
  let total = 0;
  let most = 0;
  for (let i = 0; i < probes.length; i++) {
    total += probes[i]!.neighbours;
    most = Math.max(most, probes[i]!.neighbours);
  }
  out.line(`  NSD_NEIGH_WANT=${Math.min(total, 64 * most)}`);
  // The lab's host interfaces that have addresses: only they hold the host's entries for the lab.
  // Loops, not flatMap/filter/map: a large lab has 10,000 veth pairs, and those made a list of each.
  const devs: string[] = [];
  for (let i = 0; i < plan.bridges.length; i++) if (plan.bridges[i]!.addresses.length > 0) devs.push(plan.bridges[i]!.name);
  for (let i = 0; i < plan.veths.length; i++) {
    const { a, b } = plan.veths[i]!;
    if (a.netns === null && a.addresses.length > 0) devs.push(a.name);
    if (b.netns === null && b.addresses.length > 0) devs.push(b.name);
  }
  const tables = new Set(probes.map((p) => (p.address.includes(':') || p.address === '@uplink6' ? 'ndisc_cache' : 'arp_cache')));
  out.line(`  NSD_NEIGH_TABLES=${shellQuote([...tables].sort().join(' '))}`);
  out.line(`  NSD_NEIGH_DEVS=(${devs.map(shellQuote).join(' ')})`);
  out.line('  nsd_waves_begin "$NSD_VERIFY_DIR"');
  // One line of words per probe, read by a loop: a function with one command per probe would
  // outgrow bash's stack (one nested call per command) at some 20,000 probes.
  out.line('  # One probe a line: COST NAMESPACES (the neighbour entries it makes at most, and where they are');
  out.line('  # flushed after its wave), then N ID NETNS FROM TO KIND ADDRESS PORT EXPECT REASON [TRIES WAIT NOTE].');
  out.line(`  nsd_queue_table <<'${TABLE_END}'`);
  // Probes through the same namespaces go in the same wave, so each namespace is flushed about
  // once: ordered by the first of their namespaces in the plan (the report keeps their numbers).
  const order = probeOrder(plan, probes);
  const quotedReasons = new Map<string, string>();
  // The quoted words of a line, in one of two lists reused from probe to probe (an impaired path has three more words).
  const plain = new Array<string>(12);
  const impaired = new Array<string>(15);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const p = probes[i]!;
    const words = p.impairment ? impaired : plain;
    // shellJoin() of the words, with a reason that has a quote (every namespace's way out: "the host's uplink") quoted once.
    // Whole numbers, the kind and the expectation are plain words (digits, ping or tcp, reachable or unreachable) as they are.
    words[0] = String(p.neighbours);
    words[1] = shellQuote(p.touches.join(' '));
    words[2] = String(i + 1);
    words[3] = shellQuote(p.id);
    words[4] = shellQuote(p.netns ?? '-');
    words[5] = shellQuote(p.fromLabel);
    words[6] = shellQuote(p.toLabel);
    words[7] = p.kind;
    words[8] = shellQuote(p.address);
    words[9] = p.port !== undefined ? String(p.port) : "''";
    words[10] = p.expect;
    let reason = p.reason.includes("'") ? quotedReasons.get(p.reason) : undefined;
    if (reason === undefined) {
      reason = shellQuote(p.reason);
      if (p.reason.includes("'")) quotedReasons.set(p.reason, reason);
    }
    words[11] = reason;
    if (p.impairment) {
      words[12] = shellQuote(String(p.impairment.tries));
      words[13] = shellQuote(String(Math.ceil(p.impairment.delayMs / 1000)));
      words[14] = shellQuote(impairmentNote(p.impairment));
    }
    out.line(words.join(' '));
  }
  out.line(TABLE_END);
  out.line('  nsd_waves_end');
  out.line('  local status=0');
  out.line('  nsd_verify_report "$NSD_VERIFY_DIR" || status=$?');
  out.line('  nsd_verify_done');
  out.line('  trap - EXIT');
  out.line('  return "$status"');
  out.line('}');
  out.line('');
  out.flush();
}

/**
 * The probes' indexes ordered by the first of their namespaces in the plan (probes that touch
 * none last), each rank in probe order.
 */
function probeOrder(plan: Plan, probes: readonly PlannedProbe[]): number[] {
  const rank = new Map<string, number>();
  plan.namespaces.forEach((n, i) => rank.set(n.name, i));
  const none = plan.namespaces.length;
  const keys = new Array<number>(probes.length);
  for (let i = 0; i < probes.length; i++) {
    const touches = probes[i]!.touches;
    let key = none;
    for (let j = 0; j < touches.length; j++) key = Math.min(key, rank.get(touches[j]!) ?? none);
    keys[i] = key;
  }
  return orderByKey(keys, none + 1);
}

/** What verify says about an impaired path: "the path has 20 % loss and 100 ms of delay there and back (netem on red-blue)". */
export function impairmentNote(i: Impairment): string {
  const parts = [...(i.lossPercent > 0 ? [`${i.lossPercent} % loss`] : []), ...(i.delayMs > 0 ? [`${i.delayMs} ms of delay there and back`] : [])];
  return `the path has ${parts.length > 0 ? parts.join(' and ') : 'impairments'} (netem on ${i.links.join(', ')})`;
}

/** Renders the complete, self-contained `lab.sh` for a plan and its probes (pass the steps when you already have them). */
export function renderScript(plan: Plan, probes: readonly PlannedProbe[], options: { source?: string; up?: Step[]; down?: Step[] } = {}): string {
  // Up's steps as eachUpStep makes them, unless the caller has a list already.
  const up: EachStep = options.up ? eachOf(options.up) : (visit) => eachUpStep(plan, visit);
  const down = eachOf(options.down ?? downSteps());
  const out: string[] = [];
  const iptables = [...new Set([...plan.firewall.families, ...plan.firewall.masquerade.map((m) => m.family), ...plan.firewall.portForwards.map((p) => p.family)])]
    .sort()
    .map((f) => (f === 4 ? 'iptables' : 'ip6tables'));
  const nat = plan.firewall.masquerade.length > 0 || plan.firewall.portForwards.length > 0;
  const hostLinks = unique(plan.rootNames);

  out.push('#!/usr/bin/env bash');
  out.push(`# lab.sh for the network lab "${plan.lab}": ${oneLine(plan.title)}`);
  out.push(`# Generated by ${GENERATOR}${options.source ? ` from ${oneLine(options.source)}` : ''}. Change the drawing, not this file.`);
  out.push('#');
  out.push(`# ${plan.namespaces.length} namespace(s), ${plan.bridges.length} bridge(s), ${plan.veths.length} veth pair(s), ${plan.firewall.masquerade.length} masquerade rule(s), ${plan.firewall.portForwards.length} port forward(s), ${probes.length} probe(s).`);
  out.push('#');
  out.push('# Usage: sudo ./lab.sh up|down|status|verify|plan|inspect|labs');
  out.push('#   up      build the lab; running it again on a built lab changes nothing');
  out.push('#   down    remove what up made, and only that (also after a partial up or an edited drawing)');
  out.push(`#   status  show which parts exist (exit ${LAB_SH_STATUS.up} up, ${LAB_SH_STATUS.partlyUp} partly up, ${LAB_SH_STATUS.down} down)`);
  out.push('#   verify  probe reachability and isolation (exit 0 when every probe passes)');
  out.push('#   plan    what up would change on a running lab: - removed, ~ refilled, + added (changes nothing)');
  out.push('#   inspect the live state as JSON: each part of the drawing present, missing or different, what the');
  out.push('#           record has beyond the drawing (extra), and what ip -j, tc -j and iptables show (nsd inspect)');
  out.push('#   labs    list the labs on this host that have a record: state, objects recorded, when, drawing, title');
  out.push('#');
  out.push(`# Everything the lab makes carries the interface alias "${plan.tag}"; its iptables rules live in`);
  out.push(`# its own chains (${plan.chains.forward}, ${plan.chains.prerouting}, ...). Before making anything, up writes it to`);
  out.push(`# the lab's record, $NSD_STATE_DIR/${plan.lab}/record (default ${DEFAULT_STATE_DIR}/${plan.lab}/record); down removes what the`);
  out.push('# record names. One run of a lab at a time (a lock beside the record); host settings that several');
  out.push('# labs need are put back when the last of them goes down.');
  out.push('set -Eeuo pipefail');
  out.push('');
  out.push(`readonly NSD_LAB=${shellQuote(plan.lab)}`);
  out.push('# The drawing this script was made from, and the file it runs from: none when it arrives on');
  out.push('# standard input (bash -s), as nsd deploy sends it.');
  // One line: lab.sh writes it as a line of the lab's about file.
  out.push(`readonly NSD_SOURCE=${shellQuote(oneLine(options.source ?? 'FILE'))}`);
  out.push('readonly NSD_SELF=${BASH_SOURCE[0]-}');
  out.push(`readonly NSD_TAG=${shellQuote(plan.tag)}`);
  out.push(`readonly NSD_LAB_TITLE=${shellQuote(oneLine(plan.title))}`);
  out.push(`readonly NSD_GENERATOR=${shellQuote(GENERATOR)}`);
  out.push('# The lab\'s record, lock and about file; host settings shared by labs live in .shared beside it.');
  out.push(`readonly NSD_STATE="\${NSD_STATE_DIR:-${DEFAULT_STATE_DIR}}/${plan.lab}"`);
  out.push(`readonly NSD_SHARED="\${NSD_STATE_DIR:-${DEFAULT_STATE_DIR}}/.shared"`);
  out.push(`readonly NSD_UPLINK=${shellQuote(nat ? (plan.host.uplink ?? 'eth0') : '')}`);
  out.push(`readonly NSD_FORWARD_CHAIN=${shellQuote(plan.chains.forward)}`);
  out.push(`readonly NSD_NEEDS_IPTABLES=${plan.needsIptables ? 1 : 0}`);
  out.push(bashArray('NSD_IPTABLES', iptables));
  out.push(bashArray('NSD_NAMESPACES', plan.namespaces.map((n) => n.name)));
  out.push('# Namespaces with DNS servers: NAME SERVER..., their resolv.conf written with NSD_RESOLV_FORMAT.');
  out.push(bashArray('NSD_DNS', plan.namespaces.filter((n) => n.dns.length > 0).map((n) => [n.name, ...n.dns].join(' '))));
  out.push(`readonly NSD_RESOLV_FORMAT=${shellQuote(RESOLV_FORMAT)}`);
  out.push(bashArray('NSD_HOST_LINKS', hostLinks));
  out.push(bashArray('NSD_TRANSIT_LINKS', plan.transitNames));
  out.push(bashArray('NSD_CHAINS', ([4, 6] as const).flatMap((f) => chainHooks(plan, f).map((h) => `${f === 4 ? 'iptables' : 'ip6tables'}:${h.table}:${h.parent}:${h.chain}`))));
  out.push(bashArray('NSD_SYSCTLS', plan.host.forwarding.map(forwardingKey)));
  out.push(bashArray('NSD_SERVICES', plan.namespaces.flatMap((n) => n.services.map((s) => `${n.name}/${s.id}`))));
  out.push('# Links with impairments (netem): preflight checks that the kernel has the qdisc.');
  out.push(bashArray('NSD_NETEM', plan.veths.filter((v) => v.netem).map((v) => v.link)));
  out.push(bashArray('NSD_QDISCS', plan.veths.flatMap((v) => (['a', 'b'] as const).filter((side) => v.netem?.[side]).map((side) => `${v[side].netns ?? '-'}:${v[side].name}`))));
  out.push("NSD_ACTION='' NSD_STEP=0 NSD_TOTAL=0 NSD_PHASE=- NSD_ELEMENT=- NSD_TITLE=- NSD_TABLE_PHASE=() NSD_TABLE_ELEMENT=() NSD_TABLE_TITLE=()");
  out.push("NSD_UPLINK_ADDRESS='' NSD_UPLINK_ADDRESS6='' NSD_LISTENERS=() NSD_RUNNING=0 NSD_PY=0 NSD_WANT=() NSD_WANT_READ=0");
  out.push(`readonly NSD_NEIGH_MARGIN=${NEIGHBOUR_MARGIN}`);
  const need = neighbourNeed(plan);
  // TABLE:KEY:NEED:LIMIT for each family whose need does not fit in the kernel's default (preflight checks them).
  out.push(
    bashArray(
      'NSD_NEIGH_NEED',
      ([4, 6] as const).flatMap((f) => {
        const limit = neighbourLimit(need[f]);
        return limit === undefined ? [] : [`${f === 4 ? 'arp_cache' : 'ndisc_cache'}:${neighbourKey(f)}:${need[f]}:${limit}`];
      }),
    ),
  );
  out.push('');
  out.push(BASH_LIBRARY);
  out.push(BASH_INSPECT);
  renderSteps('nsd_up', 'up', up, out, [
    'nsd_netns_ids_save',
    'nsd_about up',
    `printf 'lab %s is up. Check it with: %s\\n' "$NSD_LAB" "$(nsd_again verify)"`,
    'nsd_event "done up"',
  ]);
  // The notes explain the order of up; down follows the record, kind by kind.
  renderSteps('nsd_down', 'down', down, out, [`printf 'lab %s is down.\\n' "$NSD_LAB"`, 'nsd_event "done down"'], false);
  renderVerify(plan, probes, out);
  out.push('case ${1:-} in');
  out.push('  up | down)');
  out.push("    trap 'nsd_on_error $? \"$BASH_COMMAND\"' ERR");
  out.push('    "nsd_$1"');
  out.push('    ;;');
  out.push('  status) nsd_status ;;');
  out.push('  verify) nsd_verify ;;');
  out.push('  plan)');
  out.push('    nsd_preflight plan');
  out.push('    nsd_record_open');
  out.push('    nsd_apply plan');
  out.push('    ;;');
  out.push('  inspect) nsd_inspect ;;');
  out.push('  labs) nsd_labs ;;');
  out.push('  -h | --help | help)');
  out.push('    if [[ -n $NSD_SELF ]]; then sed -n "2,/^set -Eeuo/p" "$NSD_SELF" | sed "\\$d; s/^# \\{0,1\\}//"; else echo \'usage: lab.sh up|down|status|verify|plan|inspect|labs\'; fi');
  out.push('    ;;');
  out.push('  *)');
  out.push(`    printf 'usage: %s up|down|status|verify|plan|inspect|labs\\n' "\${NSD_SELF:-lab.sh}" >&2`);
  out.push('    exit 2');
  out.push('    ;;');
  out.push('esac');
  // One join with the final line break, so the script is one flat string.
  out.push('');
  return out.join('\n');
}

/** The distinct words of a list, first come first (as [...new Set(words)], without an iterator object per word). */
function unique(words: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (seen.has(words[i]!)) continue;
    seen.add(words[i]!);
    out.push(words[i]!);
  }
  return out;
}

/** A title or source on one line of a comment. */
export function oneLine(text: string): string {
  // Most titles are short and on one line already: they skip the regular expression.
  if (text.length <= 200 && !text.includes('\n') && !text.includes('\r')) return text;
  return text.replace(/[\r\n]+/g, ' ').slice(0, 200);
}
