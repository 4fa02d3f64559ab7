import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { Handlers } from '../../../src/shared/ipc/contract.js';
import { startWebServer, type WebServer } from '../../../src/main/web/server.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/app/bundle-protocol.js';

/** Raw HTTP, so tests can send the Host and Origin headers a browser would not let them forge. */
function call(server: WebServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('web server', () => {
  let server: WebServer;
  const seen: unknown[] = [];
  const closedClients: string[] = [];
  const auth = () => ({ authorization: `Bearer ${server.token}`, 'x-nsd-client': 'client-0001', 'content-type': 'application/json' });
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>designer</p>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'nsd-web-secret.txt'), 'secret');
    const handlers = {
      'file:recent': (payload: unknown) => {
        seen.push(payload);
        return Promise.resolve(['/a.json']);
      },
      'run:cancel': (payload: unknown, sink: { send(c: string, p: unknown): void }) => {
        sink.send('menu:command', { command: 'fit' });
        return Promise.resolve(undefined);
      },
      'file:discard-recovery': () => Promise.reject(new Error('disk full')),
      'run:host-key': (_payload: unknown, sink: { onClose?(listener: () => void): void }) => {
        sink.onClose?.(() => closedClients.push('gone'));
        return Promise.resolve(undefined);
      },
    } as unknown as Handlers;
    server = await startWebServer({ handlers, staticDir: dir });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('listens on loopback and hands the token over in the URL fragment', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.appUrl).toBe(`${server.url}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the renderer with the CSP, and nothing outside its directory', async () => {
    const index = await call(server, '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('designer');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect((await call(server, '/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await call(server, '/../nsd-web-secret.txt')).status).toBe(404);
    expect((await call(server, '/%2e%2e/nsd-web-secret.txt')).status).toBe(404);
  });

  it('answers a request with the token', async () => {
    const r = await call(server, '/api/invoke/file:recent', { method: 'POST', headers: auth(), body: '{}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: ['/a.json'] });
  });

  it.each([
    ['no token', () => ({ 'x-nsd-client': 'client-0001' }), 401],
    ['a wrong token', () => ({ authorization: 'Bearer nope', 'x-nsd-client': 'client-0001' }), 401],
    ['a foreign origin', (t: string) => ({ authorization: `Bearer ${t}`, 'x-nsd-client': 'client-0001', origin: 'http://evil.example' }), 403],
    ['a rebinding host name', (t: string) => ({ authorization: `Bearer ${t}`, 'x-nsd-client': 'client-0001', host: 'evil.example' }), 421],
    ['no client id', (t: string) => ({ authorization: `Bearer ${t}` }), 400],
  ])('refuses %s', async (_what, headersFor, status) => {
    const headers: Record<string, string> = headersFor(server.token);
    const before = seen.length;
    const r = await call(server, '/api/invoke/file:recent', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect(r.status).toBe(status);
    expect(seen).toHaveLength(before);
  });

  it('refuses a payload that does not match the channel schema, naming the field', async () => {
    const r = await call(server, '/api/invoke/file:recent', { method: 'POST', headers: auth(), body: '{"extra":1}' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/^file:recent: /);
    const unknown = await call(server, '/api/invoke/shell:exec', { method: 'POST', headers: auth(), body: '{}' });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toBe('unknown channel "shell:exec"');
  });

  it('reports a handler error as a message', async () => {
    const r = await call(server, '/api/invoke/file:discard-recovery', { method: 'POST', headers: auth(), body: '{}' });
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: 'disk full' });
  });

  it('streams a handler event to the client that asked', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { host: `127.0.0.1:${server.port}`, ...auth() } }, (res) => {
        let text = '';
        let asked = false;
        res.on('error', () => undefined); // the stream is cut on purpose below
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (!asked && text.includes(': connected')) {
            asked = true;
            call(server, '/api/invoke/run:cancel', { method: 'POST', headers: auth(), body: '{"runId":"abc"}' }).catch(reject);
          }
          if (text.includes('data: ')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(await received).toContain('data: {"channel":"menu:command","payload":{"command":"fit"}}');
  });

  /** Opens a WebSocket like the browser client does; resolves to it, or to the HTTP status that refused it. */
  function socket(options: { token?: string; origin?: string | null; host?: string } = {}): Promise<WebSocket | number> {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${server.port}` };
    if (options.origin !== null) headers.origin = options.origin ?? server.url;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws`, [`nsd.${options.token ?? server.token}`], { headers });
    return new Promise((resolve) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(0));
    });
  }

  it('carries requests, replies and the events they cause over a WebSocket', async () => {
    const ws = await socket();
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ id: 1, channel: 'file:recent', payload: {} }));
    ws.send(JSON.stringify({ id: 2, channel: 'run:cancel', payload: { runId: 'abc' } }));
    ws.send(JSON.stringify({ id: 3, channel: 'run:cancel', payload: { runId: 'not an id!' } }));
    await vi.waitFor(() => expect(messages).toHaveLength(4));
    expect(messages).toContainEqual({ id: 1, reply: { ok: true, value: ['/a.json'] } });
    expect(messages).toContainEqual({ channel: 'menu:command', payload: { command: 'fit' } });
    expect(messages).toContainEqual({ id: 2, reply: { ok: true, value: null } });
    expect(messages).toContainEqual({ id: 3, reply: expect.objectContaining({ ok: false, refused: true }) as unknown });
    // What a request started for this socket (a terminal) hears when the socket goes away.
    ws.send(JSON.stringify({ id: 4, channel: 'run:host-key', payload: { runId: 'abc', trust: true } }));
    await vi.waitFor(() => expect(messages).toHaveLength(5));
    expect(closedClients).toEqual([]);
    ws.close();
    await vi.waitFor(() => expect(closedClients).toEqual(['gone']));
  });

  it.each([
    ['a wrong token', { token: 'x'.repeat(32) }, 401],
    ['a foreign origin', { origin: 'http://evil.example' }, 403],
    ['no origin', { origin: null }, 403],
    ['a wrong Host', { host: 'evil.example' }, 421],
  ] as const)('refuses a WebSocket with %s', async (_what, options, status) => {
    expect(await socket(options)).toBe(status);
  });
});
