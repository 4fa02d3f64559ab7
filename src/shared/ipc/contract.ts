/**
 * The one contract between the designer UI and the main-side services: every request channel
 * with the zod schema of its payload (parsed in main, whatever transport carried it: Electron
 * IPC or the browser entry's loopback channel), the TypeScript type of its response, and the
 * events main pushes. Deploy requests carry the document and a target, never shell text; main
 * recompiles. Pure and browser-safe.
 */
import { z } from 'zod';
import { DESIGNER_ACTIONS, type RunEvent } from '../deploy/events.js';
import type { Problem } from '../compiler/problems.js';
import type { PacketRow } from '../live/packet-summary.js';
import { ONE_LINE_TEXT_PATTERN } from '../model/topology.js';

const SafeText = (max: number) => z.string().max(max);
/** A document as the renderer holds it; main validates it with the compiler, not here. */
const DocPayload = z.unknown();
/** An id of main's making (runs, targets): short and shell-free. */
const Token = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an id');
/** A path the user chose; main decides where it may go. */
const PathText = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'contains a NUL byte');

/**
 * The file name of the drawing a run or an export comes from (the last part of its path), for
 * lab.sh to record (occupancy and `nsd labs` show it): one line of printable text, no path.
 */
const DrawingFile = z
  .string()
  .min(1)
  .max(255)
  .regex(ONE_LINE_TEXT_PATTERN, 'is not one line of plain text')
  .refine((name) => !/[/\\]/.test(name), 'is a path, not a file name');

/** What lab.sh records as the drawing of a designer run or export whose drawing was never saved. */
export const UNSAVED_DRAWING = 'an unsaved drawing';

/**
 * The file name of the drawing at `path` as runs and exports send it (a character DrawingFile
 * refuses, such as a line break, as `?`); none for a drawing never saved.
 */
export function drawingFile(path: string | null): string | undefined {
  const name = path?.split(/[\\/]/).pop();
  if (!name) return undefined;
  return [...name].map((c) => (ONE_LINE_TEXT_PATTERN.test(c) ? c : '?')).join('').slice(0, 255);
}

/** The lab host name used when none is given. */
export const DEFAULT_LAB_NAME = 'default';

/**
 * The one rule for a sandbox lab host's name. The name becomes a directory under the lab base
 * (created and recursively removed as root), so nothing but plain characters ever passes: no
 * `.`, no `/`, no empty name. Every channel, the CLI's `--name` and `labDir` itself use it.
 */
export function labNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(name)) {
    return `lab name ${JSON.stringify(name.slice(0, 40))}: use 1-32 letters, digits, "-" or "_", starting with a letter or digit`;
  }
  return undefined;
}

/** A sandbox lab host's name, checked by `labNameProblem`; absent means the default lab host. */
export const LabHostName = z.string().superRefine((name, ctx) => {
  const problem = labNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Where a run goes: a saved SSH host, or the local sandbox lab host. */
export const TargetRef = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ssh'), id: Token }),
  z.strictObject({ kind: z.literal('lab'), name: LabHostName.default(DEFAULT_LAB_NAME) }),
]);
export type TargetRef = z.infer<typeof TargetRef>;

/** One string per target, `lab:NAME` or `ssh:ID`: the UI's select value, main's key for runs in progress. */
export function targetKey(target: TargetRef): string {
  return target.kind === 'lab' ? `lab:${target.name}` : `ssh:${target.id}`;
}

/** A saved SSH host as the UI sees it: secrets never leave main, only whether one is stored. */
export interface SavedTarget {
  id: string;
  label: string;
  /** `[user@]host[:port]` or a ~/.ssh/config alias. */
  host: string;
  identityFile?: string;
  /** A unix socket that leads to the host's sshd (a local sandbox lab host), as `nsd deploy --socket`. */
  socket?: string;
  sudo: boolean;
  hasPassword: boolean;
  hasPassphrase: boolean;
  hasSudoPassword: boolean;
}

export const SaveTargetRequest = z.strictObject({
  id: Token.optional(),
  label: SafeText(100).min(1, 'give the host a label'),
  host: SafeText(300).min(1, 'give a host like user@lab-vm or an ssh config alias'),
  identityFile: PathText.optional(),
  socket: PathText.optional(),
  sudo: z.boolean().default(false),
  /** undefined keeps a stored secret, '' removes it. */
  password: SafeText(1000).optional(),
  passphrase: SafeText(1000).optional(),
  sudoPassword: SafeText(1000).optional(),
});

export interface AppInfo {
  mode: 'electron' | 'browser';
  version: string;
  platform: string;
  /** Dialogs are native (Electron); in the browser the UI asks for a path itself. */
  nativeDialogs: boolean;
  /** Whether this machine can build the local sandbox lab host (Linux, root, tools present). */
  lab: { available: boolean; reason?: string };
  /** Where browser-mode files live (paths are relative to it). */
  workspace?: string;
  /** How saved hosts' secrets are kept here: encrypted with the OS keychain, or in this process's memory only (never written). */
  secrets: SecretsKept;
}

/** Where saved hosts' passwords and passphrases live: the OS keychain, or memory only. */
export type SecretsKept = 'keychain' | 'memory';

export interface Template {
  id: string;
  title: string;
  description: string;
  doc: unknown;
}

/** A topology deployed in a sandbox lab host (its namespaces carry lab.sh's tag `nsd:LAB`). */
export interface LabOccupant {
  /** The lab's name: the `name` of the drawing it was compiled from. */
  lab: string;
  namespaces: string[];
  /** When its oldest namespace was made (ISO time), when known. */
  since?: string;
  /** The drawing it was compiled from: the file name lab.sh recorded (UNSAVED_DRAWING for a designer run of a drawing never saved), and its title. */
  drawing?: string;
  title?: string;
}

/** ` from FILE ("TITLE")`: the drawing a lab came from, as far as lab.sh recorded it; empty when it recorded nothing. */
export function drawingOf(o: Pick<LabOccupant, 'drawing' | 'title'>): string {
  const title = o.title !== undefined ? JSON.stringify(o.title) : undefined;
  if (o.drawing !== undefined) return ` from ${o.drawing}${title !== undefined ? ` (${title})` : ''}`;
  return title !== undefined ? ` from ${title}` : '';
}

/** Everything deployed in a lab host: the labs, and namespaces no lab tagged (made by hand). */
export interface LabOccupancy {
  occupants: LabOccupant[];
  untagged: string[];
}

export interface LabState {
  name: string;
  state: 'healthy' | 'partial' | 'down' | 'absent' | 'unavailable';
  problems: string[];
  /** `ssh` details when up. */
  details?: string;
  /** When the lab host was built (ISO time), when up. */
  createdAt?: string;
  /** What is deployed in it, when it is up and could be read. */
  occupancy?: LabOccupancy;
}

export type RunStart = { ok: true; runId: string } | { ok: false; problems: Problem[]; message: string };

const TerminalCols = z.number().int().min(2).max(1000);
const TerminalRows = z.number().int().min(1).max(500);

/** A terminal opened on a node of the running lab, or why not (a sentence naming the node or the host). */
export type TerminalOpen = { ok: true; sessionId: string } | { ok: false; message: string };

/** Request channels: payload schema and response type. */
export const requests = {
  'app:info': { payload: z.strictObject({}), response: {} as AppInfo },
  'templates:list': { payload: z.strictObject({}), response: [] as Template[] },
  'file:open': { payload: z.strictObject({ path: PathText.optional() }), response: null as { path: string; text: string } | null },
  'file:save': {
    payload: z.strictObject({ path: PathText.optional(), text: SafeText(20 * 1024 * 1024), suggestedName: SafeText(200).optional() }),
    response: null as { path: string } | null,
  },
  'file:recent': { payload: z.strictObject({}), response: [] as string[] },
  'file:autosave': { payload: z.strictObject({ text: SafeText(20 * 1024 * 1024), path: PathText.nullable() }), response: undefined as void },
  'file:recovery': { payload: z.strictObject({}), response: null as { text: string; path: string | null; savedAt: string } | null },
  'file:discard-recovery': { payload: z.strictObject({}), response: undefined as void },
  'export:script': {
    payload: z.strictObject({ doc: DocPayload, path: PathText.optional(), plain: z.boolean().optional(), source: DrawingFile.optional() }),
    response: null as { path: string } | null,
  },
  'export:image': {
    payload: z.strictObject({ format: z.enum(['png', 'svg']), data: SafeText(50 * 1024 * 1024), path: PathText.optional(), suggestedName: SafeText(200).optional() }),
    response: null as { path: string } | null,
  },
  'targets:list': { payload: z.strictObject({}), response: [] as SavedTarget[] },
  'targets:save': { payload: SaveTargetRequest, response: {} as SavedTarget },
  'targets:remove': { payload: z.strictObject({ id: Token }), response: undefined as void },
  'lab:list': { payload: z.strictObject({}), response: [] as LabState[] },
  'lab:status': { payload: z.strictObject({ name: LabHostName.optional() }), response: {} as LabState },
  'lab:up': { payload: z.strictObject({ name: LabHostName.optional() }), response: {} as LabState },
  'lab:down': { payload: z.strictObject({ name: LabHostName.optional() }), response: {} as LabState },
  'run:start': {
    payload: z.strictObject({
      doc: DocPayload,
      target: TargetRef,
      action: z.enum(DESIGNER_ACTIONS),
      timeoutSeconds: z.number().int().min(1).max(24 * 3600).optional(),
      source: DrawingFile.optional(),
    }),
    response: {} as RunStart,
  },
  'terminal:open': {
    payload: z.strictObject({
      doc: DocPayload,
      target: TargetRef,
      /** The node's id; main finds its namespace in the compiled plan. */
      node: SafeText(64),
      cols: TerminalCols,
      rows: TerminalRows,
    }),
    response: {} as TerminalOpen,
  },
  'terminal:input': { payload: z.strictObject({ sessionId: Token, data: SafeText(64 * 1024) }), response: undefined as void },
  'terminal:resize': { payload: z.strictObject({ sessionId: Token, cols: TerminalCols, rows: TerminalRows }), response: undefined as void },
  'terminal:close': { payload: z.strictObject({ sessionId: Token }), response: undefined as void },
  'capture:start': {
    payload: z.strictObject({
      doc: DocPayload,
      target: TargetRef,
      /** The link's id; main finds the end's namespace and interface in the compiled plan. */
      link: SafeText(64),
      end: z.enum(['a', 'b']),
      /** A BPF filter expression; empty for every packet. */
      filter: SafeText(1000).default(''),
    }),
    response: {} as TerminalOpen,
  },
  'capture:stop': { payload: z.strictObject({ sessionId: Token }), response: undefined as void },
  /** Writes what the capture recorded as a pcap file (atomically); null when the save dialog was cancelled. */
  'capture:save': { payload: z.strictObject({ sessionId: Token, path: PathText.optional() }), response: null as { path: string; packets: number } | null },
  /** Stops the capture and forgets what it recorded. */
  'capture:close': { payload: z.strictObject({ sessionId: Token }), response: undefined as void },
  'run:cancel': { payload: z.strictObject({ runId: Token }), response: undefined as void },
  'run:host-key': { payload: z.strictObject({ runId: Token, trust: z.boolean() }), response: undefined as void },
} as const;

export type RequestChannel = keyof typeof requests;
export type RequestPayload<C extends RequestChannel> = z.input<(typeof requests)[C]['payload']>;
export type ParsedPayload<C extends RequestChannel> = z.output<(typeof requests)[C]['payload']>;
export type ResponseOf<C extends RequestChannel> = (typeof requests)[C]['response'];
export const REQUEST_CHANNELS = Object.keys(requests) as RequestChannel[];

/** Menu and shortcut commands main sends to the renderer. */
export const MENU_COMMANDS = [
  'new', 'open', 'save', 'save-as', 'export-script', 'export-plain', 'export-png', 'export-svg',
  'undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'select-all',
  'zoom-in', 'zoom-out', 'fit', 'layout', 'deploy', 'verify', 'destroy', 'status',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** Events main pushes to the renderer. */
export interface EventMap {
  'run:event': { runId: string; event: RunEvent };
  'run:host-key-prompt': { runId: string; host: string; port: number; fingerprint: string };
  'menu:command': { command: MenuCommand };
  'file:opened': { path: string; text: string };
  /** Output of a terminal (UTF-8 text as the PTY wrote it). */
  'terminal:data': { sessionId: string; data: string };
  /** A terminal's shell ended (`code`), or its connection dropped (`lost`). */
  'terminal:exit': { sessionId: string; code: number | null; lost: boolean };
  /** Packets a capture saw since the last event. */
  'capture:packets': { sessionId: string; packets: PacketRow[] };
  /** A capture ended: stopped, failed (`message`: what tcpdump said), or its connection dropped. */
  'capture:exit': { sessionId: string; code: number | null; lost: boolean; message?: string };
}
export type EventChannel = keyof EventMap;
export const EVENT_CHANNELS: EventChannel[] = ['run:event', 'run:host-key-prompt', 'menu:command', 'file:opened', 'terminal:data', 'terminal:exit', 'capture:packets', 'capture:exit'];

/** What the renderer calls: implemented by the preload (Electron) and by the browser client. */
export interface DesignerApi {
  invoke<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): () => void;
  /** Browser entry only: called once when its server stops answering (the preload's main cannot go away alone). */
  onServerGone?(listener: () => void): () => void;
}

/** A request refused at the boundary: names the channel and the bad field. */
export class RequestError extends Error {}

/** Parses a payload for `channel`; throws RequestError naming the field and the problem. */
export function parsePayload<C extends RequestChannel>(channel: string, payload: unknown): { channel: C; payload: ParsedPayload<C> } {
  if (!Object.hasOwn(requests, channel)) throw new RequestError(`unknown channel "${channel.slice(0, 60)}"`);
  const result = requests[channel as C].payload.safeParse(payload ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RequestError(`${channel}: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
  }
  return { channel: channel as C, payload: result.data as ParsedPayload<C> };
}

/** What every request channel answers, over Electron IPC and the browser entry alike. */
export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: string; refused?: true };

/** Longest error message sent to a client. */
const MAX_ERROR_LENGTH = 2000;

/** The message of a thrown value, for a client: no stack, no cause chain, bounded length. */
export function errorMessage(error: unknown): string {
  let message: string;
  if (error instanceof Error) message = error.message || error.name;
  else if (typeof error === 'string') message = error;
  else message = 'internal error';
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}

/**
 * The one dispatcher both transports call: parses the payload with its channel's schema, runs the
 * handler, and turns every outcome into a Reply. `refused` marks a request refused at the
 * boundary (unknown channel, bad payload), which the browser entry answers with HTTP 400.
 */
export async function dispatchRequest(handlers: Handlers, channel: string, payload: unknown, sink: EventSink): Promise<Reply> {
  let parsed: { channel: RequestChannel; payload: unknown };
  try {
    parsed = parsePayload(channel, payload);
  } catch (error) {
    return { ok: false, error: errorMessage(error), refused: true };
  }
  try {
    // Handlers is a mapped type; TypeScript cannot index it by a runtime key and keep the link.
    const handler = handlers[parsed.channel] as (payload: unknown, sender: EventSink) => Promise<unknown>;
    return { ok: true, value: (await handler(parsed.payload, sink)) ?? null };
  } catch (error) {
    // A programming error is worth a stack in main's log; the client still gets the message only.
    if (error instanceof TypeError || error instanceof ReferenceError) console.error(`${channel} failed:`, error);
    return { ok: false, error: errorMessage(error) };
  }
}

/** The handlers main implements, one per request channel. */
export type Handlers = { [C in RequestChannel]: (payload: ParsedPayload<C>, sender: EventSink) => Promise<ResponseOf<C>> };

/** Where a handler's events go: the window (or browser tab) that asked. */
export interface EventSink {
  send<E extends EventChannel>(channel: E, payload: EventMap[E]): void;
  /** Calls `listener` once when this client goes away (its WebSocket closes), where the transport can tell. */
  onClose?(listener: () => void): void;
}
