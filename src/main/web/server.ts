/**
 * The browser entry: the designer's renderer, served to a plain browser, talking to the same
 * handlers as the Electron window over a loopback-only, token-protected channel.
 *
 *   POST /api/invoke/CHANNEL   body: payload JSON   -> { ok: true, value } | { ok: false, error }
 *   GET  /api/events           a stream of `data: {"channel":...,"payload":...}` lines for this client
 *   GET  /api/ws               a WebSocket (terminals: a message per keystroke, not a request):
 *                              `{id, channel, payload}` in, `{id, reply}` and `{channel, payload}` (events) out
 *
 * Every /api request needs `Authorization: Bearer TOKEN` and `X-Nsd-Client: ID`; a wrong Host
 * or a foreign Origin is refused (DNS rebinding, other sites' pages). A browser cannot set
 * headers on a WebSocket: there the token travels as the subprotocol `nsd.TOKEN`, and the
 * socket is its own client (its events come back on it).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventChannel, EventMap, EventSink, Handlers } from '../../shared/ipc/contract.js';
import { dispatchRequest, errorMessage, RequestError } from '../../shared/ipc/contract.js';
import { bundlePath, CONTENT_SECURITY_POLICY, readBundleFile } from '../app/bundle-protocol.js';

export interface WebServerOptions {
  handlers: Handlers;
  /** The built renderer (vite build output). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
}

export interface WebServer {
  url: string;
  /** The URL to open: the token travels in the fragment, never to the server's logs. */
  appUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 60 * 1024 * 1024;

/** The subprotocol a WebSocket names to carry the token (`nsd.TOKEN`). */
export const WS_TOKEN_PROTOCOL_PREFIX = 'nsd.';
/** Largest WebSocket message accepted (a pasted block of text, a document for terminal:open). */
const MAX_WS_MESSAGE = 25 * 1024 * 1024;

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new RequestError('request too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

/** Starts the loopback server; resolves once it listens. */
export function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const streams = new Map<string, Set<ServerResponse>>();
  let port = 0;

  const sinkFor = (client: string): EventSink => ({
    send<E extends EventChannel>(channel: E, payload: EventMap[E]) {
      const line = `data: ${JSON.stringify({ channel, payload })}\n\n`;
      for (const res of streams.get(client) ?? []) res.write(line);
    },
  });

  const allowedHost = (host: string | undefined): boolean => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  async function serveStatic(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const file = bundlePath(options.staticDir, path);
    const found = file === undefined ? undefined : await readBundleFile(file, CONTENT_SECURITY_POLICY);
    if (!found) return send(res, 404, { ok: false, error: 'not found' });
    res.writeHead(200, found.headers);
    res.end(req.method === 'HEAD' ? undefined : found.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req.headers.host)) return send(res, 421, { ok: false, error: 'wrong host' });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: 'method not allowed' });
      return serveStatic(req, res, url.pathname);
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHost(origin.replace(/^http:\/\//, ''))) return send(res, 403, { ok: false, error: 'foreign origin' });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameToken(auth.slice(7), token)) return send(res, 401, { ok: false, error: 'missing or wrong token' });
    const client = String(req.headers['x-nsd-client'] ?? '');
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(client)) return send(res, 400, { ok: false, error: 'missing X-Nsd-Client' });

    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const set = streams.get(client) ?? new Set<ServerResponse>();
      set.add(res);
      streams.set(client, set);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        set.delete(res);
        if (set.size === 0) streams.delete(client);
      });
      return;
    }
    const match = /^\/api\/invoke\/([a-z:-]+)$/.exec(url.pathname);
    if (!match || req.method !== 'POST') return send(res, 404, { ok: false, error: 'no such endpoint' });
    let payload: unknown;
    try {
      const body = await readBody(req);
      payload = body ? (JSON.parse(body) as unknown) : {};
    } catch (e) {
      return send(res, 400, { ok: false, error: e instanceof SyntaxError ? 'the request body is not JSON' : errorMessage(e) });
    }
    const reply = await dispatchRequest(options.handlers, match[1]!, payload, sinkFor(client));
    if (reply.ok) return send(res, 200, reply);
    send(res, reply.refused ? 400 : 200, { ok: false, error: reply.error });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { ok: false, error: errorMessage(e) }));
  });

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_MESSAGE,
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) ?? false,
  });
  const refuse = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!allowedHost(req.headers.host)) return refuse(socket, 421, 'Misdirected Request');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/api/ws') return refuse(socket, 404, 'Not Found');
    // Browsers always send Origin on a WebSocket; another site's page must not reach the terminals.
    const origin = req.headers.origin;
    if (origin === undefined || !allowedHost(origin.replace(/^http:\/\//, ''))) return refuse(socket, 403, 'Forbidden');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const given = offered.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX))?.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
    if (given === undefined || !sameToken(given, token)) return refuse(socket, 401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    const sink: EventSink = {
      send(channel, payload) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ channel, payload }));
      },
      onClose(listener) {
        if (ws.readyState === ws.CLOSED) listener();
        else ws.once('close', listener);
      },
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text messages only');
      let message: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return ws.close(1007, 'not JSON');
      }
      const id = typeof message.id === 'number' ? message.id : null;
      void dispatchRequest(options.handlers, String(message.channel), message.payload, sink).then((reply) => {
        if (id !== null && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, reply }));
      });
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : 0;
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        appUrl: `${url}/#token=${token}`,
        token,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const set of streams.values()) for (const res of set) res.end();
            for (const ws of sockets.clients) ws.terminate();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
