/**
 * connect() against servers that misbehave before the login: one that never says anything,
 * one that hangs up at once. Unix sockets in a temp directory: no network is involved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, ConnectError } from '../../../src/main/ssh/connection.js';

const dir = mkdtempSync(join(tmpdir(), 'nsd-connect-'));
const servers: Server[] = [];
const sockets = new Set<Socket>();

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

/** A unix-socket server that does `onConnection` with every client. */
async function server(name: string, onConnection: (s: Socket) => void): Promise<string> {
  const path = join(dir, name);
  const srv = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onConnection(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(path, r));
  return path;
}

async function refusal(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnectError) return e;
    throw e;
  }
  throw new Error('connected');
}

const base = { host: 'lab', username: 'root', password: 'x', knownHosts: [] };

describe('connection', () => {
  it('gives up on a server that never answers after readyTimeoutMs', async () => {
    const path = await server('silent', () => undefined);
    const started = Date.now();
    const e = await refusal(connect({ ...base, sock: createConnection(path), readyTimeoutMs: 300 }));
    expect(e.kind).toBe('connect');
    expect(e.message).toBe('no SSH answer from lab:22 within 0.3 s');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("gives up as a 'timeout' naming the user's limit when it runs out before the login clock", async () => {
    const path = await server('silent-limited', () => undefined);
    const e = await refusal(connect({ ...base, sock: createConnection(path), readyTimeoutMs: 5_000, timeLeftMs: 200, timeLimitMs: 1_000 }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('the time limit of 1 s ran out while connecting to lab:22; nothing ran');
    // A limit longer than the login clock leaves the login clock in charge.
    const path2 = await server('silent-unlimited', () => undefined);
    const e2 = await refusal(connect({ ...base, sock: createConnection(path2), readyTimeoutMs: 200, timeLeftMs: 60_000 }));
    expect(e2.kind).toBe('connect');
  });

  it('stops connecting when cancelled', async () => {
    const path = await server('silent-too', () => undefined);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const e = await refusal(connect({ ...base, sock: createConnection(path), signal: abort.signal }));
    expect(e.kind).toBe('cancelled');
  });

  it('reports a server that hangs up before the login', async () => {
    const path = await server('hangs-up', (s) => s.end());
    const e = await refusal(connect({ ...base, sock: createConnection(path), readyTimeoutMs: 5_000 }));
    expect(e.kind).toBe('connect');
  });

  it('closes a stream it was given when it refuses before connecting', async () => {
    const path = await server('unused', () => undefined);
    const sock = createConnection(path);
    const e = await refusal(connect({ ...base, password: undefined, sock }));
    expect(e.kind).toBe('auth');
    expect(sock.destroyed).toBe(true);
  });

  it('reports a socket that does not exist as a connect error, without crashing', async () => {
    const e = await refusal(connect({ ...base, sock: createConnection(join(dir, 'missing')) }));
    expect(e.kind).toBe('connect');
    expect(e.message).toContain('ENOENT');
  });
});
