import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { REQUEST_CHANNELS, type EventSink, type Handlers } from '../../../src/shared/ipc/contract.js';

const electron = vi.hoisted(() => ({ ipcMain: { handle: vi.fn() } }));
vi.mock('electron', () => electron);

const { REFUSED_SENDER, registerAppHandlers, registerHandlers, webContentsSink } = await import('../../../src/main/app/ipc.js');
const { errorMessage } = await import('../../../src/shared/ipc/contract.js');

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function fakeContents(destroyed = false) {
  return { send: vi.fn(), isDestroyed: vi.fn(() => destroyed) };
}

function setup() {
  const registered = new Map<string, Listener>();
  const ipc = { handle: (channel: string, listener: Listener) => registered.set(channel, listener) };
  const handlers: Record<string, Mock<(payload: unknown, sink: EventSink) => Promise<unknown>>> = Object.fromEntries(
    REQUEST_CHANNELS.map((c) => [c, vi.fn(async (_payload: unknown, _sink: EventSink): Promise<unknown> => `${c} done`)]),
  );
  const ours = fakeContents();
  registerHandlers(ipc as unknown as IpcMain, handlers as unknown as Handlers, (contents) => contents === (ours as unknown as WebContents));
  const event = (overrides: { sender?: unknown; url?: string; parent?: unknown; frame?: null } = {}) =>
    ({
      sender: overrides.sender ?? ours,
      senderFrame: overrides.frame === null ? null : { url: overrides.url ?? 'app://bundle/index.html', parent: overrides.parent ?? null },
    }) as unknown as IpcMainInvokeEvent;
  const call = (channel: string, payload: unknown, e = event()) => registered.get(channel)!(e, payload);
  return { registered, handlers, ours, event, call };
}

describe('ipc', () => {
  beforeEach(() => electron.ipcMain.handle.mockClear());

  it('registers exactly one handler per request channel of the contract', () => {
    const { registered } = setup();
    expect([...registered.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('registers on Electron ipcMain through registerAppHandlers', () => {
    const { handlers } = setup();
    registerAppHandlers(handlers as unknown as Handlers, () => true);
    expect(electron.ipcMain.handle.mock.calls.map(([channel]) => channel)).toEqual(REQUEST_CHANNELS);
  });

  it('answers our window with the handler value and gives the handler the parsed payload', async () => {
    const { handlers, call } = setup();
    expect(await call('targets:save', { label: 'vm', host: 'lab-vm' })).toEqual({ ok: true, value: 'targets:save done' });
    // Parsed: the schema's default for sudo is filled in.
    expect(handlers['targets:save']!.mock.calls[0]![0]).toEqual({ label: 'vm', host: 'lab-vm', sudo: false });
    expect(await call('app:info', undefined)).toEqual({ ok: true, value: 'app:info done' });
  });

  it.each([
    ['a window that is not ours', { sender: fakeContents() }],
    ['a sub-frame of our window', { parent: {} }],
    ['our window showing another page', { url: 'https://evil.example/' }],
    ['our window showing a file:// page', { url: 'file:///tmp/x.html' }],
    ['a frame that is gone', { frame: null as null }],
  ])('drops a call from %s without calling the handler', async (_name, overrides) => {
    const { handlers, call, event } = setup();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await call('file:recent', {}, event(overrides))).toEqual({ ok: false, error: REFUSED_SENDER });
    expect(handlers['file:recent']).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith('ipc: dropped file:recent from an unknown sender');
    warn.mockRestore();
  });

  it.each([
    ['targets:remove', { id: 'not an id!' }, 'targets:remove: id: not an id'],
    ['file:open', { path: 42 }, 'file:open: path:'],
    ['file:open', { path: 'a\0b' }, 'file:open: path: contains a NUL byte'],
    ['app:info', { extra: true }, 'app:info: payload:'],
    ['run:start', { doc: {}, target: { kind: 'ftp' }, action: 'up' }, 'run:start: target.kind:'],
    ['targets:save', { label: '', host: 'h' }, 'targets:save: label: give the host a label'],
    ['run:start', { doc: {}, target: { kind: 'lab' }, action: 'up', source: '../nat.json' }, 'run:start: source: is a path, not a file name'],
    ['run:start', { doc: {}, target: { kind: 'lab' }, action: 'up', source: 'nat.json\nstate=up' }, 'run:start: source: is not one line of plain text'],
    ['export:script', { doc: {}, source: 'C:\\labs\\nat.json' }, 'export:script: source: is a path, not a file name'],
    ['export:script', { doc: {}, source: '' }, 'export:script: source:'],
  ])('refuses a bad %s payload with a message naming the field', async (channel, payload, message) => {
    const { handlers, call } = setup();
    const reply = (await call(channel, payload)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error.startsWith(message)).toBe(true);
    expect(handlers[channel]).not.toHaveBeenCalled();
  });

  it('sends handler errors as a message, never a stack', async () => {
    const { handlers, call } = setup();
    handlers['file:recent']!.mockRejectedValueOnce(new Error('cannot read /x: permission denied'));
    const reply = (await call('file:recent', {})) as { ok: false; error: string };
    expect(reply).toEqual({ ok: false, error: 'cannot read /x: permission denied' });
    expect(JSON.stringify(reply)).not.toMatch(/\bat .*\.ts:\d+/);

    handlers['file:recent']!.mockRejectedValueOnce({ secret: 'object thrown' });
    expect(await call('file:recent', {})).toEqual({ ok: false, error: 'internal error' });
    expect(errorMessage(new Error('x'.repeat(5000))).length).toBeLessThanOrEqual(2001);
    expect(errorMessage('plain string')).toBe('plain string');
  });

  it('gives the handler a sink that sends events to the asking window', async () => {
    const { handlers, call, ours } = setup();
    handlers['run:start']!.mockImplementationOnce(async (_payload: unknown, sink: EventSink) => {
      sink.send('run:event', { runId: 'r1', event: { type: 'connected' } as never });
      return { ok: true, runId: 'r1' };
    });
    await call('run:start', { doc: {}, target: { kind: 'lab' }, action: 'up' });
    expect(ours.send).toHaveBeenCalledWith('run:event', { runId: 'r1', event: { type: 'connected' } });
  });

  it('skips events to a destroyed window and events outside the contract', () => {
    const gone = fakeContents(true);
    webContentsSink(gone).send('menu:command', { command: 'save' });
    expect(gone.send).not.toHaveBeenCalled();
    const alive = fakeContents();
    webContentsSink(alive).send('not:an-event' as never, {} as never);
    expect(alive.send).not.toHaveBeenCalled();
    webContentsSink(alive).send('file:opened', { path: '/a.json', text: '{}' });
    expect(alive.send).toHaveBeenCalledWith('file:opened', { path: '/a.json', text: '{}' });
  });

  it('tells what a window opened (a terminal) when the window is destroyed or navigates away, at once when it is gone already', async () => {
    const { EventEmitter } = await import('node:events');
    const window = Object.assign(new EventEmitter(), { send: vi.fn(), isDestroyed: () => false });
    const closed: string[] = [];
    webContentsSink(window as never).onClose!(() => closed.push('terminal 1'));
    expect(closed).toEqual([]);
    window.emit('did-navigate');
    expect(closed).toEqual(['terminal 1']);
    webContentsSink(window as never).onClose!(() => closed.push('terminal 2'));
    window.emit('destroyed');
    expect(closed).toEqual(['terminal 1', 'terminal 2']);
    webContentsSink(fakeContents(true)).onClose!(() => closed.push('late'));
    expect(closed).toEqual(['terminal 1', 'terminal 2', 'late']);
  });
});
