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
  let streaming = false;

  const dispatch = (message: { channel: EventChannel; payload: unknown }): void => {
    for (const listener of listeners.get(message.channel) ?? []) (listener as (p: unknown) => void)(message.payload);
  };

  async function stream(): Promise<void> {
    for (;;) {
      try {
        const res = await fetch(`${base}/api/events`, { headers });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
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
        // the server went away or restarted: try again shortly
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
        throw new Error(SERVER_GONE);
      }
      const body = (await res.json()) as { ok: true; value: ResponseOf<C> } | { ok: false; error: string };
      if (!body.ok) throw new Error(body.error);
      return body.value;
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): () => void {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(channel, set);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
