/**
 * Runs started from the designer: each gets an id, streams its RunEvents to the window that
 * asked, can be cancelled, and asks that window (not a terminal) before trusting a new host key.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { compile } from '../../shared/compiler/index.js';
import { recordOnlyDocument } from '../../shared/deploy/record-only.js';
import { targetKey, UNSAVED_DRAWING, type EventSink, type requests, type RunStart } from '../../shared/ipc/contract.js';
import { runDeploySession, type DeployEnv, type DeploySecrets, type DeployTarget } from '../deploy/deploy-session.js';
import { labStatus } from '../lab/lab-host.js';
import type { TargetStore } from './types.js';

type StartPayload = z.output<(typeof requests)['run:start']['payload']>;

export interface Resolved {
  target: DeployTarget;
  secrets: DeploySecrets;
}

/**
 * Where a TargetRef leads: the sandbox lab host from its lab.json, or a saved host with its
 * secrets; a sentence when neither is there. Through a lab host's socket the session trusts it by
 * its lab.json key and stores nothing.
 */
export async function resolveTargetRef(ref: StartPayload['target'], deps: { targets: TargetStore; env: Record<string, string | undefined> }): Promise<Resolved | string> {
  if (ref.kind === 'lab') {
    const status = await labStatus(ref.name, deps.env);
    if (status.health.state !== 'healthy' || !status.info) {
      return `the sandbox lab host "${ref.name}" is not up (${status.health.state}${status.health.problems.length ? `: ${status.health.problems.join('; ')}` : ''}); start it first`;
    }
    const info = status.info;
    return {
      target: { host: `${info.user}@${info.host}:${info.port}`, identityFile: info.privateKey, socket: info.socket, sudo: false },
      secrets: {},
    };
  }
  const saved = await deps.targets.get(ref.id);
  if (!saved) return `there is no saved host with id ${ref.id}; pick a host from the list`;
  const { target, secrets } = saved;
  return {
    target: {
      host: target.host,
      sudo: target.sudo,
      ...(target.identityFile !== undefined ? { identityFile: target.identityFile } : {}),
      ...(target.socket !== undefined ? { socket: target.socket } : {}),
    },
    // TargetSecrets is the saved subset of DeploySecrets (no key text).
    secrets,
  };
}

const BUSY: RunStart = { ok: false, problems: [], message: 'a run on this host is still going; wait for it to finish or cancel it first' };

/** How long a host-key question waits for an answer before it counts as "no". */
const HOST_KEY_WAIT_MS = 5 * 60_000;

export class RunRegistry {
  private readonly active = new Map<string, { abort: AbortController; target: string; answer?: (trust: boolean) => void }>();

  constructor(
    private readonly deps: {
      targets: TargetStore;
      env: Record<string, string | undefined>;
      deployEnv: DeployEnv;
      confirmHostKey?: (host: string, port: number, fingerprint: string) => Promise<boolean>;
    },
  ) {}

  private busy(key: string): boolean {
    return [...this.active.values()].some((r) => r.target === key);
  }

  /** The ids of runs still going. */
  running(): string[] {
    return [...this.active.keys()];
  }

  private resolve(ref: StartPayload['target']): Promise<Resolved | string> {
    return resolveTargetRef(ref, this.deps);
  }

  /** Validates and compiles the document, then starts the run; the events go to `sink`. */
  async start(payload: StartPayload, sink: EventSink): Promise<RunStart> {
    const source = payload.source ?? UNSAVED_DRAWING;
    let compiled = compile(payload.doc, { source });
    // Destroy and inspect act on the host's record: a drawing with errors still names its lab.
    const lab = (payload.doc as { name?: unknown }).name;
    if (!compiled.ok && (payload.action === 'down' || payload.action === 'inspect') && typeof lab === 'string') {
      const recordOnly = compile(recordOnlyDocument(lab), { source });
      if (recordOnly.ok) compiled = recordOnly;
    }
    if (!compiled.ok) {
      const errors = compiled.problems.filter((p) => p.severity === 'error');
      return { ok: false, problems: compiled.problems, message: `the drawing has ${errors.length} error(s); fix them before running (see the problems list)` };
    }
    // Two runs on one host at once would race each other's steps and state files.
    const key = targetKey(payload.target);
    if (this.busy(key)) return BUSY;
    const resolved = await this.resolve(payload.target);
    if (typeof resolved === 'string') return { ok: false, problems: [], message: resolved };
    if (this.busy(key)) return BUSY;

    const runId = randomBytes(9).toString('base64url');
    const abort = new AbortController();
    const entry: { abort: AbortController; target: string; answer?: (trust: boolean) => void } = { abort, target: key };
    this.active.set(runId, entry);
    const confirmHostKey = (fingerprint: string, host: string, port: number): Promise<boolean> => {
      if (this.deps.confirmHostKey) return this.deps.confirmHostKey(host, port, fingerprint);
      return new Promise<boolean>((answer) => {
        const timer = setTimeout(() => finish(false), HOST_KEY_WAIT_MS);
        const finish = (trust: boolean): void => {
          clearTimeout(timer);
          abort.signal.removeEventListener('abort', onAbort);
          delete entry.answer;
          answer(trust);
        };
        const onAbort = (): void => finish(false);
        abort.signal.addEventListener('abort', onAbort);
        entry.answer = finish;
        sink.send('run:host-key-prompt', { runId, host, port, fingerprint });
      });
    };
    const startedAt = Date.now();
    let finished = false;
    void runDeploySession(
      {
        action: payload.action,
        compiled,
        target: resolved.target,
        secrets: resolved.secrets,
        confirmHostKey,
        ...(payload.timeoutSeconds !== undefined ? { timeoutMs: payload.timeoutSeconds * 1000 } : {}),
        signal: abort.signal,
        onEvent: (event) => {
          if (event.type === 'finished') finished = true;
          sink.send('run:event', { runId, event });
        },
      },
      this.deps.deployEnv,
    )
      .then((outcome) => outcome.ok, (e: unknown) => {
        sink.send('run:event', { runId, event: { type: 'error', at: Date.now(), kind: 'script', message: `internal error: ${(e as Error).message}` } });
        return false;
      })
      .then((ok) => {
        // A run that never reached lab.sh (no connection, login or sudo refused) still ends for the UI.
        if (!finished) sink.send('run:event', { runId, event: { type: 'finished', at: Date.now(), action: payload.action, ok, exitCode: ok ? 0 : -1, durationMs: Date.now() - startedAt } });
      })
      .finally(() => this.active.delete(runId));
    return { ok: true, runId };
  }

  cancel(runId: string): void {
    this.active.get(runId)?.abort.abort();
  }

  answerHostKey(runId: string, trust: boolean): void {
    this.active.get(runId)?.answer?.(trust);
  }
}
