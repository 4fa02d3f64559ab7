/**
 * The DesignerApi the preload exposes as `window.nsd`: only contract channels pass, replies
 * `{ ok, value | error }` become a resolved value or an Error, and listeners get the payload,
 * never Electron's event object (it would hand the page ipcRenderer through `event.sender`).
 */
import type { IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type DesignerApi, type EventChannel, type EventMap } from '../shared/ipc/contract.js';

/** The part of ipcRenderer the API needs (injected, so it can be tested without Electron). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

const requestChannels: ReadonlySet<string> = new Set(REQUEST_CHANNELS);
const eventChannels: ReadonlySet<string> = new Set(EVENT_CHANNELS);
/** Events kept while nobody listens: the file a second launch opened can arrive before the UI subscribes. */
const KEEP_LATEST: ReadonlySet<EventChannel> = new Set(['file:opened']);

function unwrap(reply: unknown): unknown {
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) {
    const r = reply as { ok: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return r.value;
    if (r.ok === false) throw new Error(typeof r.error === 'string' ? r.error : 'request failed');
  }
  throw new Error('malformed reply from the main process');
}

/** The DesignerApi over `ipc`. */
export function createDesignerApi(ipc: IpcRendererLike): DesignerApi {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const kept = new Map<EventChannel, unknown>();
  for (const channel of EVENT_CHANNELS) {
    listeners.set(channel, new Set());
    // One ipcRenderer listener per channel, registered once; the page never sees the event object.
    ipc.on(channel, (_event, payload) => {
      const set = listeners.get(channel)!;
      if (set.size === 0) {
        if (KEEP_LATEST.has(channel)) kept.set(channel, payload);
        return;
      }
      for (const listener of [...set]) {
        try {
          listener(payload as never);
        } catch (e) {
          console.error(`nsd: a ${channel} listener failed:`, e);
        }
      }
    });
  }

  return {
    invoke(channel, payload) {
      if (typeof channel !== 'string' || !requestChannels.has(channel)) {
        return Promise.reject(new Error(`unknown request channel "${String(channel).slice(0, 60)}"`));
      }
      return ipc.invoke(channel, payload).then(unwrap) as ReturnType<DesignerApi['invoke']>;
    },

    on<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): () => void {
      if (typeof channel !== 'string' || !eventChannels.has(channel)) throw new Error(`unknown event channel "${String(channel).slice(0, 60)}"`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      const set = listeners.get(channel)!;
      const entry = listener as (payload: never) => void;
      set.add(entry);
      if (kept.has(channel)) {
        const payload = kept.get(channel);
        kept.delete(channel);
        // After on() returns, so the caller holds its unsubscribe before the first call.
        queueMicrotask(() => {
          if (set.has(entry)) listener(payload as EventMap[E]);
        });
      }
      return () => {
        set.delete(entry);
      };
    },
  };
}
