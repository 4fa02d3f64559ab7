/**
 * The `nsd` command line over the compiler core. Everything here takes its input from `argv`
 * and an injected `CliIo`, and returns an exit code, so tests run it in-process; `nsd.ts` is
 * the thin entry point that wires it to the real process.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { topologyJsonSchema } from '../shared/model/topology.js';
import { compileValidated } from '../shared/compiler/index.js';
import { renderPlain } from '../shared/compiler/render-plain.js';
import { decodeUtf8, InvalidUtf8Error, validateText, type ValidationResult } from '../shared/compiler/validate/index.js';
import { documentProblem, failure } from '../shared/compiler/validate/results.js';
import { formatProblem, type Problem } from '../shared/compiler/problems.js';
import type { HostAction } from '../shared/deploy/events.js';
import { deployCommand } from './deploy.js';
import { appendCreatingDir } from '../main/ssh/host-key-store.js';
import type { TerminalInfo } from './progress.js';
import { LabUsageError, parseLabArgs, type LabArgs } from './lab-args.js';
import { labCommand } from './lab.js';
import { designerCommand } from './designer.js';
import { runLiveCommand, type LiveArgs, type LocalTerminal } from './live.js';
import { EXIT, EXIT_MEANINGS } from '../shared/exit-codes.js';
import { EXAMPLES_DIR, packageVersion, readExamples } from '../main/package-paths.js';

/** What the CLI may touch; `nodeIo()` is the real one. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a UTF-8 file; `-` means standard input. */
  readFile(path: string): Promise<string>;
  /** Writes a file and sets its mode (also when the file already existed). */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  /** Appends to a file, creating its directory (default: the real file system). */
  appendFile?(path: string, data: string): Promise<void>;
  /** The environment (default: process.env): HOME, SSH_AUTH_SOCK, NSD_SSH_PASSWORD, ... */
  env?: Record<string, string | undefined>;
  /** Which streams are terminals (default: neither): the deploy commands then draw a progress line. */
  terminal?: TerminalInfo;
  /** Standard input for exec and shell (default: none, the remote command reads end of input). */
  stdin?: NodeJS.ReadableStream;
  /** Standard input as a terminal, for shell's raw mode and window size. */
  localTerminal?: LocalTerminal;
}

/** This process's terminal: raw mode on stdin, the size and resizes of stdout. */
function processTerminal(): LocalTerminal {
  return {
    size: () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 }),
    setRawMode: (raw) => void process.stdin.setRawMode(raw),
    onResize: (listener) => {
      process.stdout.on('resize', listener);
      return () => void process.stdout.off('resize', listener);
    },
  };
}

/** The path label used in messages for standard input. */
const STDIN_LABEL = '<stdin>';

/** The real process: stdout/stderr, the file system, and `-` for stdin. */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    // Strict UTF-8: a byte that is no character is refused with its place, never turned into U+FFFD.
    readFile: async (path) => {
      if (path !== '-') return decodeUtf8(await readFile(path));
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return decodeUtf8(Buffer.concat(chunks));
    },
    writeFile: async (path, data, mode) => {
      await writeFile(path, data, { mode });
      // `mode` only applies when the file is created; an existing lab.sh keeps its old bits otherwise.
      await chmod(path, mode);
    },
    // Read only by exec and shell; a terminal on stdin becomes shell's keyboard.
    stdin: process.stdin,
    ...(process.stdin.isTTY ? { localTerminal: processTerminal() } : {}),
    terminal: { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true, ...(process.stderr.columns ? { columns: process.stderr.columns } : {}) },
  };
}

export const HELP = `nsd - Netns Designer on the command line

Usage:
  nsd validate FILE [--json]          check a topology document
  nsd compile FILE [-o lab.sh] [--plain] [--json]
                                      compile it to a bash script (stdout without -o)
  nsd schema                          print the JSON Schema of the document format
  nsd examples [--json]               list the bundled example topologies
  nsd deploy FILE --host [user@]host[:port] [-i KEY] [--sudo] [--accept-new]
                                      build the lab on a remote host over SSH
  nsd verify FILE --host ...          run its probes there
  nsd plan FILE --host ...            what deploy would change on the running lab there:
                                      - removed, ~ refilled, + added; changes nothing
  nsd inspect FILE --host ...         the live state there: each part of the drawing present,
                                      missing or different, links down, what the host still
                                      has beyond the drawing (extra); --json: lab.sh's JSON
  nsd destroy FILE --host ...         remove it there: everything its record on the host names
  nsd destroy --lab NAME --host ...   the same without the drawing
  nsd labs --host ...                 list the labs on the host: state, objects recorded, when,
                                      drawing, title
  nsd status FILE --host ...          show which parts exist there
  nsd exec FILE NODE --host ... -- CMD [ARGS...]
                                      run a command in NODE's namespace (the host node: on the
                                      host); its output streams, nsd exits with its status
  nsd shell FILE NODE --host ...      an interactive shell in NODE's namespace (a terminal)
  nsd capture FILE LINK[.a|.b] --host ... [-c COUNT] [-w OUT.pcap] [FILTER...]
                                      tcpdump on a link end (LINK is the link's id, end a by
                                      default): one line per packet, or with -w a pcap file;
                                      Ctrl-C stops it on the host
  nsd lab up|down|status [--name NAME] [--json]
                                      a disposable local lab host to deploy to (Linux, root)
  nsd designer [--port N] [--workspace DIR]
                                      the designer in a browser, served on 127.0.0.1 (with
                                      an access token in the printed link) until Ctrl-C
  nsd --help | --version

FILE may be "-" for standard input (not for the SSH commands).

SSH options (deploy, verify, destroy, status, plan, inspect, labs, exec, shell, capture):
      --host TARGET   [user@]host[:port]; ~/.ssh/config aliases work (HostName, Port, User, IdentityFile)
  -i, --identity KEY  private key (default: IdentityFile, ~/.ssh/id_ed25519, ~/.ssh/id_rsa);
                      passphrase from NSD_SSH_PASSPHRASE; ssh-agent via SSH_AUTH_SOCK;
                      password or keyboard-interactive from NSD_SSH_PASSWORD
      --sudo          not root: run through sudo -n, or sudo -S with NSD_SUDO_PASSWORD
      --accept-new    trust an unknown host key (stored in ~/.config/netns-designer/known_hosts);
                      a changed key is always refused
      --socket PATH   connect through a unix socket (a local sandbox lab host)
      --timeout SECS  give up after this long, connecting included: the run on the
                      host is stopped (default 600)
      --json          one JSON event per line

Capture options:
  -c, --count N       stop after N packets
  -w, --write FILE    write the raw packets (pcap, for Wireshark) to FILE, atomically
  FILTER              a BPF filter, e.g. icmp, "host 10.0.0.2 and tcp port 80"

Lab host (nsd lab):
  up       build a sandbox lab host in private namespaces: sshd behind a unix socket, an
           "internet" at 203.0.113.1; prints how to connect (the same as its lab.json)
  down     kill it and remove its state; status: is everything running?
      --name NAME     which lab (default "default"); state in /run/nsd-lab/NAME (or $NSD_LAB_DIR/NAME)

Options:
  -o, --output PATH   write the script to PATH (mode 0755) instead of stdout
      --plain         compile: the plain commands in order, as the tutorial writes them (no
                      checks, tags or verify), for reading and teaching, instead of lab.sh
      --json          print a machine-readable result on stdout
  -h, --help          show this help
  -V, --version       print the version

Exit status:
${EXIT_MEANINGS.map(([code, meaning]) => `${String(code).padStart(3)}  ${meaning}`).join('\n')}

The script runs as: sudo ./lab.sh up|down|status|verify|plan|labs
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  host: { type: 'string' },
  identity: { type: 'string', short: 'i' },
  sudo: { type: 'boolean' },
  'accept-new': { type: 'boolean' },
  socket: { type: 'string' },
  timeout: { type: 'string' },
  lab: { type: 'string' },
  name: { type: 'string' },
  port: { type: 'string' },
  workspace: { type: 'string' },
  count: { type: 'string', short: 'c' },
  write: { type: 'string', short: 'w' },
  json: { type: 'boolean' },
  plain: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The deploy commands and the lab.sh action each runs. */
const DEPLOY_ACTIONS: Record<string, HostAction> = { deploy: 'up', verify: 'verify', destroy: 'down', status: 'status', plan: 'plan', inspect: 'inspect', labs: 'labs' };

/** The deploy commands that act on the host's records, not on a drawing: no FILE (labs), or --lab NAME instead (destroy). */
const WITHOUT_FILE: Record<string, 'never' | 'with --lab'> = { labs: 'never', destroy: 'with --lab' };

/** The SSH options of the commands that reach into a running lab (exec, shell, capture). */
const SSH_OPTIONS: OptionName[] = ['host', 'identity', 'sudo', 'accept-new', 'socket', 'timeout'];

/** The live commands: FILE, then a node or link, then more words. */
const LIVE_COMMANDS = new Set(['exec', 'shell', 'capture']);

/** Which options and how many file arguments each command takes. */
const COMMANDS: Record<string, { options: OptionName[]; file: boolean }> = {
  validate: { options: ['json'], file: true },
  compile: { options: ['json', 'output', 'plain'], file: true },
  schema: { options: [], file: false },
  examples: { options: ['json'], file: false },
  ...Object.fromEntries(
    Object.keys(DEPLOY_ACTIONS).map((c) => [
      c,
      { options: ['json', 'host', 'identity', 'sudo', 'accept-new', 'socket', 'timeout', ...(c === 'destroy' ? (['lab'] as const) : [])] as OptionName[], file: WITHOUT_FILE[c] !== 'never' },
    ]),
  ),
  exec: { options: [...SSH_OPTIONS], file: true },
  shell: { options: [...SSH_OPTIONS], file: true },
  capture: { options: [...SSH_OPTIONS, 'count', 'write'], file: true },
  lab: { options: ['json', 'name'], file: false },
  designer: { options: ['port', 'workspace'], file: false },
  help: { options: [], file: false },
};

class UsageError extends Error {}

interface Parsed {
  command: string;
  file?: string;
  output?: string;
  json: boolean;
  values: { [K in OptionName]?: string | boolean };
  lab?: LabArgs;
  /** exec, shell, capture: what follows FILE (the node or link, then the filter words). */
  words?: string[];
  /** exec: the command after "--". */
  argv?: string[];
}

function parse(all: string[]): Parsed | 'help' | 'version' {
  // Everything after "--" is exec's command, options included.
  const dashes = all.indexOf('--');
  const argv = dashes < 0 ? all : all.slice(0, dashes);
  const tail = dashes < 0 ? undefined : all.slice(dashes + 1);
  let values: { [K in OptionName]?: string | boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (e) {
    // parseArgs' messages already name the flag ("Unknown option '--x'").
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  if (values.version && positionals.length === 0) return 'version';
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  if (command === 'help') return 'help';
  for (const name of Object.keys(values) as OptionName[]) {
    if (values[name] !== undefined && !spec.options.includes(name)) {
      throw new UsageError(`"${command}" does not take --${name}`);
    }
  }
  if (command === 'lab') {
    try {
      return { command, json: values.json === true, values, lab: parseLabArgs(rest, values) };
    } catch (e) {
      if (e instanceof LabUsageError) throw new UsageError(e.message);
      throw e;
    }
  }
  const byLab = typeof values.lab === 'string';
  if (byLab && rest.length > 0) throw new UsageError(`"${command}" takes a FILE or --lab NAME, not both`);
  if (byLab && values.lab === '') throw new UsageError('--lab needs a lab name');
  if (spec.file && !byLab && rest.length === 0) throw new UsageError(`"${command}" needs a FILE argument${WITHOUT_FILE[command] === 'with --lab' ? ' (or --lab NAME)' : ''}`);
  if (tail !== undefined && command !== 'exec') throw new UsageError(`"${command}" takes nothing after "--"`);
  if (LIVE_COMMANDS.has(command)) return parseLive(command, rest, tail, values);
  const extra = spec.file && !byLab ? rest.slice(1) : rest;
  if (extra.length > 0) throw new UsageError(`"${command}" takes ${spec.file ? 'one FILE' : 'no arguments'}; unexpected "${extra[0]}"`);
  if (values.output === '') throw new UsageError('-o needs a file name');
  if (command === 'designer' && values.port !== undefined && !/^\d{1,5}$/.test(String(values.port))) throw new UsageError('--port takes a port number');
  if (command in DEPLOY_ACTIONS) {
    if (typeof values.host !== 'string' || values.host === '') throw new UsageError(`"${command}" needs --host [user@]host[:port]`);
    if (values.timeout !== undefined && !(Number(values.timeout) > 0)) throw new UsageError('--timeout takes a number of seconds');
  }
  return {
    command,
    ...(spec.file && !byLab ? { file: rest[0]! } : {}),
    ...(typeof values.output === 'string' ? { output: values.output } : {}),
    json: values.json === true,
    values,
  };
}

function parseLive(command: string, rest: string[], tail: string[] | undefined, values: Parsed['values']): Parsed {
  const [file, what, ...words] = rest;
  if (what === undefined) throw new UsageError(`"${command}" needs ${command === 'capture' ? 'a LINK (its id, with .a or .b for an end)' : 'a NODE'} after FILE`);
  if (typeof values.host !== 'string' || values.host === '') throw new UsageError(`"${command}" needs --host [user@]host[:port]`);
  if (values.timeout !== undefined && !(Number(values.timeout) > 0)) throw new UsageError('--timeout takes a number of seconds');
  if (command === 'exec') {
    if (words.length > 0) throw new UsageError(`"exec" takes the command after "--"; unexpected "${words[0]}"`);
    if (!tail || tail.length === 0) throw new UsageError('"exec" needs a command after "--", e.g. nsd exec lab.json red --host HOST -- ip -br addr');
  }
  if (command === 'shell' && words.length > 0) throw new UsageError(`"shell" takes FILE and NODE; unexpected "${words[0]}"`);
  if (values.count !== undefined && !/^[1-9]\d*$/.test(String(values.count))) throw new UsageError('-c takes a number of packets');
  if (values.write === '') throw new UsageError('-w needs a file name');
  return { command, file: file!, json: false, values, words: [what, ...words], ...(tail ? { argv: tail } : {}) };
}

/** Runs one `nsd` invocation; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`nsd: ${e.message}\nTry "nsd --help".\n`);
    return EXIT.usage;
  }
  if (parsed === 'help') {
    io.stdout(HELP);
    return EXIT.ok;
  }
  if (parsed === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  try {
    switch (parsed.command) {
      case 'schema':
        io.stdout(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      case 'examples':
        return examples(parsed, io);
      case 'validate':
        return await validateCommand(parsed, io);
      case 'compile':
        return await compileCommand(parsed, io);
      case 'lab':
        return await labCommand(parsed.lab!, { stdout: io.stdout, stderr: io.stderr, env: io.env ?? process.env });
      case 'designer':
        return await designer(parsed, io);
      case 'exec':
      case 'shell':
      case 'capture':
        return await live(parsed, io);
      default:
        return await deploy(parsed, io);
    }
  } catch (e) {
    io.stderr(`nsd: internal error: ${(e as Error).stack ?? String(e)}\nThis is a bug in nsd; please report it with the document that caused it.\n`);
    return EXIT.internal;
  }
  return EXIT.usage;
}

async function designer(args: Parsed, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    return await designerCommand(
      {
        signal: stop.signal,
        ...(typeof args.values.port === 'string' ? { port: Number(args.values.port) } : {}),
        ...(typeof args.values.workspace === 'string' ? { workspace: args.values.workspace } : {}),
      },
      { stdout: io.stdout, stderr: io.stderr, env: io.env ?? process.env, cwd: process.cwd() },
    );
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

async function deploy(args: Parsed, io: CliIo): Promise<number> {
  const v = args.values;
  const timeout = typeof v.timeout === 'string' ? Number(v.timeout) : undefined;
  // Ctrl-C cancels: the runner stops the run's process group on the host before nsd exits.
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await deployCommand(
      {
        action: DEPLOY_ACTIONS[args.command]!,
        ...(args.file !== undefined ? { file: args.file } : {}),
        ...(typeof v.lab === 'string' ? { lab: v.lab } : {}),
        host: v.host as string,
        sudo: v.sudo === true,
        acceptNew: v['accept-new'] === true,
        json: args.json,
        ...(typeof v.identity === 'string' ? { identity: v.identity } : {}),
        ...(typeof v.socket === 'string' ? { socket: v.socket } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
        signal: abort.signal,
      },
      { ...io, env: io.env ?? process.env, appendFile: io.appendFile ?? appendCreatingDir },
    );
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

async function live(args: Parsed, io: CliIo): Promise<number> {
  const v = args.values;
  const [what, ...words] = args.words!;
  // Ctrl-C stops the command on the host (its process group) before nsd exits; in a shell it is a keystroke.
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  process.once('SIGINT', onInterrupt);
  const common = {
    file: args.file!,
    host: v.host as string,
    sudo: v.sudo === true,
    acceptNew: v['accept-new'] === true,
    ...(typeof v.identity === 'string' ? { identity: v.identity } : {}),
    ...(typeof v.socket === 'string' ? { socket: v.socket } : {}),
    ...(typeof v.timeout === 'string' ? { timeoutSeconds: Number(v.timeout) } : {}),
    signal: abort.signal,
  };
  const liveArgs: LiveArgs =
    args.command === 'exec'
      ? { ...common, command: 'exec', node: what!, argv: args.argv! }
      : args.command === 'shell'
        ? { ...common, command: 'shell', node: what! }
        : {
            ...common,
            command: 'capture',
            link: what!,
            filter: words,
            ...(typeof v.count === 'string' ? { count: Number(v.count) } : {}),
            ...(typeof v.write === 'string' ? { output: v.write } : {}),
          };
  try {
    return await runLiveCommand(liveArgs, {
      ...io,
      env: io.env ?? process.env,
      appendFile: io.appendFile ?? appendCreatingDir,
      ...(io.stdin ? { stdin: io.stdin } : {}),
      ...(io.localTerminal ? { localTerminal: io.localTerminal } : {}),
    });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * Reads and validates a document: undefined when the file cannot be read (exit 2). Bytes that
 * are not UTF-8 are a problem of the document, reported like a JSON syntax error (exit 1).
 */
async function readValidated(file: string, io: CliIo): Promise<ValidationResult | undefined> {
  try {
    return validateText(await io.readFile(file));
  } catch (e) {
    if (e instanceof InvalidUtf8Error) return failure([documentProblem('', e.message)]);
    io.stderr(`nsd: cannot read ${file === '-' ? 'standard input' : file}: ${describeFsError(e)}\n`);
    return undefined;
  }
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.message ?? String(e);
  }
}

function label(file: string): string {
  return file === '-' ? STDIN_LABEL : file;
}

function reportProblems(problems: readonly Problem[], file: string, io: CliIo): void {
  for (const p of problems) io.stderr(`${formatProblem(p, label(file))}\n`);
}

function printJson(value: unknown, io: CliIo): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

async function validateCommand(args: Parsed, io: CliIo): Promise<number> {
  const file = args.file!;
  const result = await readValidated(file, io);
  if (result === undefined) return EXIT.usage;
  const problems = result.ok ? result.warnings : result.problems;
  if (args.json) printJson({ ok: result.ok, file: label(file), problems }, io);
  reportProblems(problems, file, io);
  return result.ok ? EXIT.ok : EXIT.problems;
}

async function compileCommand(args: Parsed, io: CliIo): Promise<number> {
  const file = args.file!;
  const validated = await readValidated(file, io);
  if (validated === undefined) return EXIT.usage;
  // validateText owns JSON syntax errors (with their position), so both commands report them alike.
  const result = compileValidated(validated, file === '-' ? {} : { source: basename(file) });
  const problems = result.ok ? result.warnings : result.problems;
  reportProblems(problems, file, io);
  if (!result.ok) {
    if (args.json) printJson({ ok: false, file: label(file), problems }, io);
    return EXIT.problems;
  }
  const script = args.values.plain === true ? renderPlain(result.plan, { up: result.up, down: result.down, ...(file === '-' ? {} : { source: basename(file) }) }) : result.script;
  if (args.output !== undefined) {
    try {
      await io.writeFile(args.output, script, 0o755);
    } catch (e) {
      io.stderr(`nsd: cannot write ${args.output}: ${describeFsError(e)}\n`);
      return EXIT.usage;
    }
    if (args.json) printJson({ ok: true, file: label(file), problems, output: args.output }, io);
    return EXIT.ok;
  }
  if (args.json) printJson({ ok: true, file: label(file), problems, script }, io);
  else io.stdout(script);
  return EXIT.ok;
}

function examples(args: Parsed, io: CliIo): number {
  const list = readExamples().map(({ id, path, title, description }) => ({ name: id, path, title, description }));
  if (args.json) {
    printJson(list, io);
    return EXIT.ok;
  }
  const width = Math.max(0, ...list.map((e) => e.name.length));
  for (const e of list) io.stdout(`${e.name.padEnd(width)}  ${e.title}\n`);
  io.stdout(`\nFiles in ${EXAMPLES_DIR}\nTry: nsd compile ${join(EXAMPLES_DIR, `${list[0]?.name ?? 'EXAMPLE'}.json`)} -o lab.sh\n`);
  return EXIT.ok;
}
