/**
 * The DesignerApi over the browser entry's loopback channel (src/main/web/server.ts): the same
 * requests and events as the Electron preload, carried by fetch with a bearer token. Terminal
 * and capture channels go over one WebSocket instead (a keystroke is a message, not a request),
 * their events come back on it, and the server ends them when it closes.
 */
import type { DesignerApi, EventChannel, EventMap, Reply, RequestChannel, RequestPayload, ResponseOf } from '../../shared/ipc/contract.js';
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

  // The terminals' WebSocket, opened with the first terminal request.
  let socket: Promise<WebSocket> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();
  /** Sessions opened over the socket, by the event that says they ended. */
  const sessions = new Map<string, 'terminal:exit' | 'capture:exit'>();
  const openSocket = (): Promise<WebSocket> => {
    const url = `${base ? base.replace(/^http/, 'ws') : `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`}/api/ws`;
    const ws = new WebSocket(url, [`nsd.${token}`]);
    const opened = new Promise<WebSocket>((resolve, reject) => {
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('cannot open the terminal channel to the designer server'));
    });
    ws.onmessage = (m: MessageEvent<string>) => {
      const message = JSON.parse(m.data) as { id: number; reply: Reply } | { channel: EventChannel; payload: unknown };
      if ('id' in message) {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.reply.ok) call?.resolve(message.reply.value);
        else call?.reject(new Error(message.reply.error));
        return;
      }
      if (message.channel === 'terminal:exit' || message.channel === 'capture:exit') sessions.delete((message.payload as EventMap['terminal:exit']).sessionId);
      dispatch(message);
    };
    ws.onclose = () => {
      socket = undefined;
      for (const call of pending.values()) call.reject(new Error('the terminal channel to the designer server closed'));
      pending.clear();
      // Every terminal on this socket is gone with it.
      for (const [sessionId, channel] of sessions) dispatch({ channel, payload: { sessionId, code: null, lost: true } });
      sessions.clear();
    };
    return opened;
  };
  const overSocket = async (channel: RequestChannel, payload: unknown): Promise<unknown> => {
    socket ??= openSocket();
    let ws: WebSocket;
    try {
      ws = await socket;
    } catch (e) {
      socket = undefined;
      throw e;
    }
    const id = nextId++;
    const reply = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    ws.send(JSON.stringify({ id, channel, payload }));
    const value = await reply;
    if ((channel === 'terminal:open' || channel === 'capture:start') && (value as { ok?: boolean }).ok) {
      sessions.set((value as { sessionId: string }).sessionId, channel === 'terminal:open' ? 'terminal:exit' : 'capture:exit');
    }
    return value;
  };

  return {
    async invoke<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>> {
      if (channel.startsWith('terminal:') || channel.startsWith('capture:')) return (await overSocket(channel, payload ?? {})) as ResponseOf<C>;
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
      const body = (await res.json()) as Reply<ResponseOf<C>>;
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
