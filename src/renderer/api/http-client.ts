/**
 * The DesignerApi over the browser entry's loopback channel (src/main/web/server.ts): the same
 * requests and events as the Electron preload, carried by fetch with a bearer token.
 */
import type { DesignerApi, EventChannel, EventMap, RequestChannel, RequestPayload, ResponseOf } from '../../shared/ipc/contract.js';
import { SERVER_GONE } from '../state/status.js';

function clientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Connects to the server that served this page, with the token from the URL fragment. */
export function httpApi(token: string, base = ''): DesignerApi {
  const client = clientId();
  const headers = { authorization: `Bearer ${token}`, 'x-nsd-client': client };
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const goneListeners = new Set<() => void>();
  let streaming = false;
  let gone = false;
  const serverGone = (): void => {
    if (gone) return;
    gone = true;
    for (const listener of goneListeners) listener();
  };

  const dispatch = (message: { channel: EventChannel; payload: unknown }): void => {
    for (const listener of listeners.get(message.channel) ?? []) (listener as (p: unknown) => void)(message.payload);
  };

  async function stream(): Promise<void> {
    let attached = false;
    for (;;) {
      try {
        let res: Response;
        try {
          res = await fetch(`${base}/api/events`, { headers });
        } catch (e) {
          // The stream was open and now nothing answers: the server stopped (a refused token would be a restart).
          if (attached) serverGone();
          throw e;
        }
        if (!res.ok || !res.body) {
          if (attached) serverGone();
          throw new Error(`events: HTTP ${res.status}`);
        }
        attached = true;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            for (const line of block.split('\n')) if (line.startsWith('data: ')) dispatch(JSON.parse(line.slice(6)) as { channel: EventChannel; payload: unknown });
          }
        }
      } catch {
        // the server went away or restarted: try again shortly (it may have been a dropped stream only)
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const ready = (async () => {
    if (streaming) return;
    streaming = true;
    void stream();
    // Give the event stream a moment to attach before the first request can emit events.
    await new Promise((r) => setTimeout(r, 50));
  })();

  return {
    async invoke<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>> {
      await ready;
      let res: Response;
      try {
        res = await fetch(`${base}/api/invoke/${channel}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(payload ?? {}),
        });
      } catch {
        // fetch rejects only when no answer came at all ("Failed to fetch"): nothing listens there any more.
        serverGone();
        throw new Error(SERVER_GONE);
      }
      const body = (await res.json()) as { ok: true; value: ResponseOf<C> } | { ok: false; error: string };
      if (!body.ok) throw new Error(body.error);
      return body.value;
    },
    onServerGone(listener: () => void): () => void {
      goneListeners.add(listener);
      if (gone) listener();
      return () => goneListeners.delete(listener);
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): () => void {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(channel, set);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
