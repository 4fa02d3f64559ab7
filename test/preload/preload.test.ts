import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS } from '../../src/shared/ipc/contract.js';
import { createDesignerApi, type IpcRendererLike } from '../../src/preload/api.js';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn() },
}));
vi.mock('electron', () => electron);

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc(reply: (channel: string, payload: unknown) => unknown = () => ({ ok: true, value: 'v' })) {
  const listeners = new Map<string, Listener>();
  const ipc = {
    invoke: vi.fn(async (channel: string, payload: unknown) => reply(channel, payload)),
    on: vi.fn((channel: string, listener: Listener) => listeners.set(channel, listener)),
    /** What main's webContents.send does; the event object carries `sender`, which must not leak. */
    emit: (channel: string, payload: unknown) => listeners.get(channel)?.({ sender: { secret: 'ipcRenderer' } }, payload),
  };
  return ipc;
}

describe('preload', () => {
  it('exposes window.nsd with invoke and on only', async () => {
    await import('../../src/preload/preload.js');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [name, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0]!;
    expect(name).toBe('nsd');
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'on']);
    // One ipcRenderer listener per event channel, registered up front.
    expect(electron.ipcRenderer.on.mock.calls.map(([c]) => c)).toEqual(EVENT_CHANNELS);
  });

  it('resolves with the value of an ok reply and rejects with the message of an error reply', async () => {
    const ipc = fakeIpc((channel) => (channel === 'file:recent' ? { ok: true, value: ['/a.json'] } : { ok: false, error: 'targets:remove: id: not an id' }));
    const api = createDesignerApi(ipc as IpcRendererLike);
    expect(await api.invoke('file:recent', {})).toEqual(['/a.json']);
    expect(ipc.invoke).toHaveBeenCalledWith('file:recent', {});
    await expect(api.invoke('targets:remove', { id: 'x y' })).rejects.toThrow(new Error('targets:remove: id: not an id'));
  });

  it('rejects channels outside the contract without sending anything, and malformed replies', async () => {
    const ipc = fakeIpc(() => 'not a reply');
    const api = createDesignerApi(ipc as IpcRendererLike);
    await expect(api.invoke('shell:exec' as never, {} as never)).rejects.toThrow('unknown request channel "shell:exec"');
    await expect(api.invoke(42 as never, {} as never)).rejects.toThrow('unknown request channel');
    expect(ipc.invoke).not.toHaveBeenCalled();
    await expect(api.invoke('app:info', {})).rejects.toThrow('malformed reply from the main process');
  });

  it('delivers event payloads without the event object, until unsubscribed', () => {
    const ipc = fakeIpc();
    const api = createDesignerApi(ipc as IpcRendererLike);
    const got: unknown[][] = [];
    const off = api.on('menu:command', (...args) => got.push(args));
    ipc.emit('menu:command', { command: 'save' });
    off();
    ipc.emit('menu:command', { command: 'open' });
    expect(got).toEqual([[{ command: 'save' }]]);
    expect(() => api.on('ipc:raw' as never, () => undefined)).toThrow('unknown event channel "ipc:raw"');
  });

  it('keeps the latest file:opened that arrives before anyone listens, and hands it to the first listener', async () => {
    const ipc = fakeIpc();
    const api = createDesignerApi(ipc as IpcRendererLike);
    ipc.emit('file:opened', { path: '/old.json', text: '1' });
    ipc.emit('file:opened', { path: '/new.json', text: '2' });
    ipc.emit('menu:command', { command: 'save' });
    const opened: unknown[] = [];
    const commands: unknown[] = [];
    api.on('menu:command', (p) => commands.push(p));
    api.on('file:opened', (p) => opened.push(p));
    await Promise.resolve();
    expect(opened).toEqual([{ path: '/new.json', text: '2' }]);
    // Menu commands are not replayed: a stale "save" must not run later.
    expect(commands).toEqual([]);
  });

  it('keeps other listeners running when one throws', () => {
    const ipc = fakeIpc();
    const api = createDesignerApi(ipc as IpcRendererLike);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: unknown[] = [];
    api.on('run:event', () => {
      throw new Error('listener bug');
    });
    api.on('run:event', (p) => got.push(p));
    ipc.emit('run:event', { runId: 'r', event: { type: 'connected' } });
    expect(got).toHaveLength(1);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('bundles into one CommonJS file that requires nothing but electron', async () => {
    const { build } = await import('vite');
    const output = await build({
      configFile: fileURLToPath(new URL('../../vite.preload.config.ts', import.meta.url)),
      logLevel: 'silent',
      build: { write: false },
    });
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
    expect(chunks.map((c) => c.fileName)).toEqual(['preload.cjs']);
    const code = (chunks[0] as { code: string }).code;
    expect([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    expect(code).not.toMatch(/\bexports\b|\bmodule\.exports\b/);
    expect(code).toContain('exposeInMainWorld("nsd"');
  }, 60_000);
});
