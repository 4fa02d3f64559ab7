/**
 * The designer's terminals and captures: an interactive shell on a PTY in a node's namespace on
 * the lab host, one per tab, and tcpdump on a link end, its packets listed as they come. Terminals on one host share one SSH connection (opened through the
 * deploy session's openSession: same host-key, login and sudo rules), each on its own channel.
 * Output goes to the window that opened the terminal as `terminal:data`, the end as
 * `terminal:exit`; closing a terminal ends its process group on the host.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import { compile } from '../../shared/compiler/index.js';
import { targetKey, type EventSink, type requests, type TerminalOpen } from '../../shared/ipc/contract.js';
import { captureEnd, captureStreamCommand, LiveTargetError, nodeTarget, shellCommand } from '../../shared/live/remote-commands.js';
import { parsePacketLine, type PacketRow } from '../../shared/live/packet-summary.js';
import { openSession, type DeployEnv } from '../deploy/deploy-session.js';
import { checkPrivilege } from '../ssh/runner.js';
import type { Privilege } from '../ssh/remote-command.js';
import { startRemoteProcess, type RemoteProcess } from '../ssh/remote-process.js';
import type { Connection } from '../ssh/connection.js';
import { resolveTargetRef } from './runs.js';
import type { TargetStore } from './types.js';

type OpenPayload = z.output<(typeof requests)['terminal:open']['payload']>;
type CapturePayload = z.output<(typeof requests)['capture:start']['payload']>;

/** The most a capture keeps for Save .pcap; past it, packets are still listed but no longer kept. */
export const CAPTURE_KEEP_BYTES = 64 * 1024 * 1024;

/** A capture: its process while it runs, and the pcap stream it recorded (kept after it ends, for Save). */
interface Capture {
  proc?: RemoteProcess;
  pcap: Buffer[];
  bytes: number;
  packets: number;
}

/** A connection to one host, shared by its terminals. */
interface HostLink {
  connection: Connection;
  privilege: Privilege;
  passwordLine?: string;
  users: number;
}

export class TerminalRegistry {
  private readonly hosts = new Map<string, Promise<HostLink | string>>();
  private readonly terminals = new Map<string, { proc: RemoteProcess; host: string }>();
  private readonly captures = new Map<string, Capture>();

  constructor(
    private readonly deps: {
      targets: TargetStore;
      env: Record<string, string | undefined>;
      deployEnv: DeployEnv;
    },
  ) {}

  /** Opens a shell in `payload.node`'s namespace; its output goes to `sink`. */
  async open(payload: OpenPayload, sink: EventSink): Promise<TerminalOpen> {
    const prepared = await this.prepare(payload, (compiled) => shellCommand(nodeTarget(compiled, payload.node)));
    if ('message' in prepared) return { ok: false, message: prepared.message };
    const { command, key, link, sessionId } = prepared;
    // One decoder for both streams: a PTY merges them anyway, and a character may span two chunks.
    const decoder = new StringDecoder('utf8');
    const forward = (d: Buffer): void => {
      const data = decoder.write(d);
      if (data) sink.send('terminal:data', { sessionId, data });
    };
    let proc: RemoteProcess;
    try {
      proc = await startRemoteProcess(link.connection.client, {
        command,
        privilege: link.privilege,
        ...(link.passwordLine !== undefined ? { passwordLine: link.passwordLine } : {}),
        pty: { cols: payload.cols, rows: payload.rows, term: 'xterm-256color' },
        onStdout: forward,
        onStderr: forward,
      });
    } catch (e) {
      this.release(key, link);
      return { ok: false, message: `cannot open a shell on ${payload.node}: ${(e as Error).message}` };
    }
    this.terminals.set(sessionId, { proc, host: key });
    // The page that showed it is gone (closed, reloaded): nobody can type into this shell any more.
    sink.onClose?.(() => void proc.stop());
    void proc.exited.then((exit) => {
      this.terminals.delete(sessionId);
      this.release(key, link);
      sink.send('terminal:exit', { sessionId, code: exit.code, lost: exit.lost });
    });
    return { ok: true, sessionId };
  }

  /** Starts tcpdump on a link end; packets go to `sink` as they come, the raw stream is kept for save(). */
  async startCapture(payload: CapturePayload, sink: EventSink): Promise<TerminalOpen> {
    const prepared = await this.prepare(payload, (compiled) =>
      captureStreamCommand(captureEnd(compiled, `${payload.link}.${payload.end}`), { filter: payload.filter.split(/\s+/).filter(Boolean) }),
    );
    if ('message' in prepared) return { ok: false, message: prepared.message };
    const { command, key, link, sessionId } = prepared;
    const capture: Capture = { pcap: [], bytes: 0, packets: 0 };
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let said = '';
    const onSummary = (d: Buffer): void => {
      const lines = (partial + decoder.write(d)).split('\n');
      partial = lines.pop() ?? '';
      const packets: PacketRow[] = [];
      for (const line of lines) {
        const row = parsePacketLine(line);
        if (row) packets.push(row);
        else if (line.trim() && !/^(listening on|reading from file)/.test(line)) said = line.trim();
      }
      if (packets.length > 0) {
        capture.packets += packets.length;
        sink.send('capture:packets', { sessionId, packets });
      }
    };
    try {
      capture.proc = await startRemoteProcess(link.connection.client, {
        command,
        privilege: link.privilege,
        ...(link.passwordLine !== undefined ? { passwordLine: link.passwordLine } : {}),
        onStdout: (d) => {
          if (capture.bytes + d.length > CAPTURE_KEEP_BYTES) return;
          capture.pcap.push(d);
          capture.bytes += d.length;
        },
        onStderr: onSummary,
      });
    } catch (e) {
      this.release(key, link);
      return { ok: false, message: `cannot start a capture on ${payload.link}: ${(e as Error).message}` };
    }
    capture.proc.end();
    this.captures.set(sessionId, capture);
    sink.onClose?.(() => void this.closeCapture(sessionId));
    void capture.proc.exited.then((exit) => {
      delete capture.proc;
      this.release(key, link);
      const failed = !exit.lost && exit.code !== 0 && exit.signal === undefined && said !== '';
      sink.send('capture:exit', { sessionId, code: exit.code, lost: exit.lost, ...(failed ? { message: said } : {}) });
    });
    return { ok: true, sessionId };
  }

  /** Stops a capture; what it recorded stays for save() until closeCapture(). */
  async stopCapture(sessionId: string): Promise<void> {
    await this.captures.get(sessionId)?.proc?.stop();
  }

  /** The pcap stream a capture recorded, and how many packets it listed. */
  recorded(sessionId: string): { pcap: Buffer; packets: number } | undefined {
    const c = this.captures.get(sessionId);
    return c ? { pcap: Buffer.concat(c.pcap), packets: c.packets } : undefined;
  }

  async closeCapture(sessionId: string): Promise<void> {
    const c = this.captures.get(sessionId);
    this.captures.delete(sessionId);
    await c?.proc?.stop();
  }

  input(sessionId: string, data: string): void {
    this.terminals.get(sessionId)?.proc.write(data);
  }

  resize(sessionId: string, cols: number, rows: number): void {
    this.terminals.get(sessionId)?.proc.resize({ cols, rows });
  }

  /** Ends the terminal's shell (its process group on the host). */
  async close(sessionId: string): Promise<void> {
    await this.terminals.get(sessionId)?.proc.stop();
  }

  /** Ends every terminal (the app quits, the server stops). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.terminals.values()].map((t) => t.proc.stop()));
    await Promise.all([...this.captures.keys()].map((id) => this.closeCapture(id)));
  }

  /**
   * What a terminal and a capture both need first: the drawing compiled, the command on the host
   * (from `build`, which may refuse with a LiveTargetError), the host's shared connection and a
   * new session id; or the sentence that says why not.
   */
  private async prepare(
    payload: { doc: unknown; target: OpenPayload['target'] },
    build: (compiled: Extract<ReturnType<typeof compile>, { ok: true }>) => string,
  ): Promise<{ command: string; key: string; link: HostLink; sessionId: string } | { message: string }> {
    // Only the plan is read (where each node's namespace is): no script is run from it.
    const compiled = compile(payload.doc);
    if (!compiled.ok) return { message: 'the drawing has errors; fix them first (see the problems list)' };
    let command: string;
    try {
      command = build(compiled);
    } catch (e) {
      if (e instanceof LiveTargetError) return { message: e.message };
      throw e;
    }
    const key = targetKey(payload.target);
    const link = await this.hostLink(key, payload.target);
    if (typeof link === 'string') return { message: link };
    return { command, key, link, sessionId: randomBytes(9).toString('base64url') };
  }

  private hostLink(key: string, ref: OpenPayload['target']): Promise<HostLink | string> {
    let link = this.hosts.get(key);
    if (!link) {
      link = this.connect(ref);
      this.hosts.set(key, link);
      void link.then((l) => {
        if (typeof l === 'string') this.hosts.delete(key);
        else l.connection.client.once('close', () => this.hosts.get(key) === link && this.hosts.delete(key));
      });
    }
    return link.then((l) => {
      if (typeof l !== 'string') l.users++;
      return l;
    });
  }

  /** A terminal is gone: the host's connection closes with its last one. */
  private release(key: string, link: HostLink): void {
    link.users--;
    if (link.users > 0) return;
    this.hosts.delete(key);
    link.connection.client.end();
  }

  private async connect(ref: OpenPayload['target']): Promise<HostLink | string> {
    const resolved = await resolveTargetRef(ref, this.deps);
    if (typeof resolved === 'string') return resolved;
    const opened = await openSession(
      {
        target: resolved.target,
        secrets: resolved.secrets,
        // A terminal does not ask: a host is trusted by a run (Status, Deploy) first; a sandbox
        // lab host is trusted by its lab.json key without asking.
        confirmHostKey: () => Promise.resolve(false),
        timeoutMs: 30_000,
      },
      this.deps.deployEnv,
      () => undefined,
    );
    if (!opened.ok) {
      return opened.error.kind === 'host-key-unknown' ? `${opened.error.message}; run Status once to trust this host, then open the terminal again` : opened.error.message;
    }
    const checked = await checkPrivilege(opened.session.connection.client, opened.session.privilege, resolved.secrets.sudoPassword);
    if ('privilege' in checked) {
      return { connection: opened.session.connection, privilege: checked.privilege, ...(checked.passwordLine !== undefined ? { passwordLine: checked.passwordLine } : {}), users: 0 };
    }
    opened.session.connection.client.end();
    return 'error' in checked ? checked.error.message : 'stopped';
  }
}
