/**
 * A lab name becomes a directory that is created and recursively removed as root. Crafted names
 * must be refused at every door (the browser entry, the Electron IPC handler, labDir itself)
 * with a clear message, no stack trace, and nothing outside the lab base touched.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandlers } from '../../../src/main/services/handlers.js';
import { labDir } from '../../../src/main/lab/lab-info.js';
import { startWebServer, type WebServer } from '../../../src/main/web/server.js';
import type { FileService, TargetStore } from '../../../src/main/services/types.js';

vi.mock('electron', () => ({ ipcMain: { handle: vi.fn() } }));
const { registerHandlers } = await import('../../../src/main/app/ipc.js');

const CRAFTED: [string, string][] = [
  ['..', 'the parent of the lab base'],
  ['../victim', 'a sibling of the lab base'],
  ['', 'the lab base itself'],
  ['.', 'the lab base itself'],
  ['/abs', 'an absolute path'],
  ['a/b', 'a nested path'],
  ['x'.repeat(33), 'a 33-character name'],
  ['lab\0x', 'a NUL byte'],
];
const CHANNELS = ['lab:status', 'lab:up', 'lab:down'] as const;

function post(server: WebServer, channel: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: `/api/invoke/${channel}`,
        method: 'POST',
        headers: { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${server.token}`, 'x-nsd-client': 'client-lab-names', 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('lab names at the boundary', () => {
  let root: string;
  let base: string;
  let server: WebServer;
  let ipcCall: (channel: string, payload: unknown) => Promise<unknown>;

  /** Everything below `root`, so a test sees any directory that went missing. */
  const tree = (): string[] => readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'nsd-lab-names-'));
    base = join(root, 'base');
    // A running lab's state, and a directory beside the base that a crafted name aims at.
    mkdirSync(join(base, 'running'), { recursive: true });
    writeFileSync(join(base, 'running', 'lab.json'), '{}');
    mkdirSync(join(root, 'victim'));
    writeFileSync(join(root, 'victim', 'keep.txt'), 'keep');
    const handlers = createHandlers({
      mode: 'browser',
      files: {} as FileService,
      targets: { list: () => Promise.resolve([]) } as unknown as TargetStore,
      stateDir: join(root, 'state'),
      labEnv: { ...process.env, NSD_LAB_DIR: base, HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'config') },
    });
    server = await startWebServer({ handlers, staticDir: root });
    const registered = new Map<string, (event: IpcMainInvokeEvent, payload: unknown) => Promise<unknown>>();
    const contents = { send: vi.fn(), isDestroyed: () => false };
    registerHandlers({ handle: (c: string, l: never) => registered.set(c, l) } as unknown as IpcMain, handlers, (c) => c === (contents as unknown as WebContents));
    const event = { sender: contents, senderFrame: { url: 'app://bundle/index.html', parent: null } } as unknown as IpcMainInvokeEvent;
    ipcCall = (channel, payload) => registered.get(channel)!(event, payload);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const [name, what] of CRAFTED) {
    it(`refuses ${JSON.stringify(name.slice(0, 12))} (${what}) through the browser entry and IPC, touching nothing`, async () => {
      const before = tree();
      for (const channel of CHANNELS) {
        const http = await post(server, channel, JSON.stringify({ name }));
        expect(http.status, `${channel} over HTTP`).toBe(400);
        const reply = JSON.parse(http.body) as { ok: boolean; error: string };
        expect(reply.ok).toBe(false);
        expect(reply.error).toMatch(/^lab:(status|up|down): name: lab name .*use 1-32 letters, digits/);
        expect(reply.error).not.toMatch(/\n\s+at |ZodError/);

        const ipc = (await ipcCall(channel, { name })) as { ok: boolean; error: string };
        expect(ipc.ok, `${channel} over IPC`).toBe(false);
        expect(ipc.error).toMatch(/name: lab name .*use 1-32 letters/);
        expect(ipc.error).not.toMatch(/\n\s+at |ZodError/);
      }
      // A target that names such a lab host is refused the same way.
      const run = (await ipcCall('run:start', { doc: {}, target: { kind: 'lab', name }, action: 'down' })) as { ok: boolean; error: string };
      expect(run.ok).toBe(false);
      expect(run.error).toMatch(/^run:start: target\.name: lab name/);
      expect(tree()).toEqual(before);
      expect(existsSync(join(root, 'victim', 'keep.txt'))).toBe(true);
      expect(existsSync(join(base, 'running', 'lab.json'))).toBe(true);
    });

    it(`labDir refuses ${JSON.stringify(name.slice(0, 12))} itself, whoever calls it`, () => {
      expect(() => labDir(name, { NSD_LAB_DIR: base })).toThrow(/lab name .*use 1-32 letters/);
    });
  }

  it('still answers a plain lab name', async () => {
    const http = await post(server, 'lab:status', JSON.stringify({ name: 'absent-lab' }));
    expect(http.status).toBe(200);
    const reply = JSON.parse(http.body) as { ok: boolean; value: { name: string } };
    expect(reply.ok).toBe(true);
    expect(reply.value.name).toBe('absent-lab');
  });
});
