import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS, type Handlers } from '../../../src/shared/ipc/contract.js';
import type { HandlerDeps } from '../../../src/main/services/handlers.js';

/** A fake of the parts of Electron that main.ts touches; the real binary cannot run here. */
const fake = vi.hoisted(() => {
  type Fn = (...args: unknown[]) => unknown;
  class Emitter {
    listeners = new Map<string, Fn[]>();
    on(event: string, listener: Fn): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Fn): this {
      const wrapped: Fn = (...args) => {
        this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== wrapped));
        return listener(...args);
      };
      return this.on(event, wrapped);
    }
    emit(event: string, ...args: unknown[]): void {
      for (const listener of this.listeners.get(event) ?? []) listener(...args);
    }
  }
  class FakeWebContents extends Emitter {
    send = vi.fn();
    setWindowOpenHandler = vi.fn();
    isDestroyed = () => false;
    isLoading = () => true;
  }
  class FakeBrowserWindow extends Emitter {
    static instances: FakeBrowserWindow[] = [];
    static getFocusedWindow = vi.fn((): FakeBrowserWindow | null => null);
    webContents = new FakeWebContents();
    loadURL = vi.fn(() => Promise.resolve());
    maximize = vi.fn();
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    isDestroyed = () => false;
    isMinimized = () => false;
    isMaximized = () => true;
    getNormalBounds = () => ({ x: 40, y: 30, width: 1100, height: 700 });
    constructor(public options: Record<string, unknown>) {
      super();
      FakeBrowserWindow.instances.push(this);
    }
  }
  let fireReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (fireReady = resolve));
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    whenReady: () => ready,
    requestSingleInstanceLock: vi.fn(() => true),
    getPath: vi.fn(() => '/nonexistent'),
    getVersion: () => '0.1.0',
    quit: vi.fn(),
    exit: vi.fn(),
    enableSandbox: vi.fn(),
    setAboutPanelOptions: vi.fn(),
  });
  return {
    fireReady: () => fireReady(),
    FakeWebContents,
    createHandlers: vi.fn(),
    electron: {
      app,
      BrowserWindow: FakeBrowserWindow,
      ipcMain: { handle: vi.fn() },
      Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
      dialog: { showErrorBox: vi.fn(), showMessageBoxSync: vi.fn(() => 0), showOpenDialog: vi.fn(), showSaveDialog: vi.fn(), showMessageBox: vi.fn() },
      safeStorage: {
        isEncryptionAvailable: () => true,
        getSelectedStorageBackend: () => 'basic_text',
        encryptString: vi.fn(),
        decryptString: vi.fn(),
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: vi.fn(),
          setPermissionCheckHandler: vi.fn(),
          webRequest: { onHeadersReceived: vi.fn() },
        },
      },
      protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
      screen: {
        getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
        getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
      },
      shell: { openExternal: vi.fn(() => Promise.resolve()) },
    },
  };
});
vi.mock('electron', () => fake.electron);
vi.mock('../../../src/main/services/handlers.js', () => ({ createHandlers: fake.createHandlers }));

const { startApp, fileFromArgv, notifyingRecent } = await import('../../../src/main/app/main.js');
const { APP_URL } = await import('../../../src/main/app/bundle-protocol.js');

const { electron } = fake;
type Window = InstanceType<typeof fake.electron.BrowserWindow>;

function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'nsd-main-'));
  const rendererRoot = join(root, 'dist', 'renderer');
  mkdirSync(rendererRoot, { recursive: true });
  writeFileSync(join(rendererRoot, 'index.html'), '<!doctype html>');
  mkdirSync(join(root, 'dist', 'preload'));
  const preloadPath = join(root, 'dist', 'preload', 'preload.cjs');
  writeFileSync(preloadPath, '');
  const stateDir = join(root, 'state');
  const lab = join(root, 'lab.json');
  writeFileSync(lab, '{"version":1}');
  return { root, rendererRoot, preloadPath, stateDir, lab };
}

function trustedEvent(window: Window): IpcMainInvokeEvent {
  return { sender: window.webContents, senderFrame: { url: APP_URL, parent: null } } as unknown as IpcMainInvokeEvent;
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

afterEach(() => {
  vi.clearAllMocks();
});

describe('main', () => {
  it('reads the file to open from argv, skipping the app path under `electron .` and switches', () => {
    expect(fileFromArgv(['/opt/nsd/netns-designer', 'lab.json'], '/home/u', false)).toBe('/home/u/lab.json');
    expect(fileFromArgv(['/usr/bin/electron', '.', '/labs/a.json'], '/x', true)).toBe('/labs/a.json');
    expect(fileFromArgv(['/opt/nsd/netns-designer', '--no-sandbox', '--original-process-start-time=1', 'b.json'], '/w', false)).toBe('/w/b.json');
    expect(fileFromArgv(['/usr/bin/electron', '.'], '/x', true)).toBeUndefined();
    expect(fileFromArgv(['/opt/nsd/netns-designer'], '/x', false)).toBeUndefined();
  });

  it('tells the menu after every open and save', async () => {
    const changed = vi.fn();
    const files = notifyingRecent(
      { open: async (p: string) => ({ path: p, text: '' }), save: async (p: string) => ({ path: p }) } as never,
      changed,
    );
    await files.open('/a');
    await files.save('/b', '');
    expect(changed).toHaveBeenCalledTimes(2);
  });

  it('quits at once when another instance holds the lock', () => {
    electron.app.requestSingleInstanceLock.mockReturnValueOnce(false);
    const before = electron.app.listeners.size;
    startApp(scratch());
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.app.listeners.size).toBe(before);
  });

  it('wires the secure window, the handlers, the menu and the argv file once ready', async () => {
    const paths = scratch();
    electron.app.getPath.mockReturnValue(paths.stateDir);
    fake.createHandlers.mockImplementation((deps: HandlerDeps) => {
      const handlers: Record<string, () => Promise<unknown>> = Object.fromEntries(REQUEST_CHANNELS.map((c) => [c, async () => `${c} handled`]));
      handlers['file:recent'] = () => deps.files.recent();
      return handlers as unknown as Handlers;
    });
    const argv = process.argv;
    process.argv = ['/opt/nsd/netns-designer', paths.lab];
    try {
      startApp(paths);
    } finally {
      process.argv = argv;
    }

    // Before ready: the scheme is privileged, every renderer sandboxed, the lock taken.
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);

    fake.fireReady();
    await vi.waitFor(() => expect(electron.BrowserWindow.instances[0]?.loadURL).toHaveBeenCalledWith(APP_URL));
    const window = electron.BrowserWindow.instances[0]!;

    // The window: secure preferences, the preload, the clamped saved state (none yet: the default).
    expect(window.options).toMatchObject({
      width: 1280,
      height: 820,
      show: false,
      webPreferences: { preload: paths.preloadPath, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: true },
    });

    // The session and the app:// protocol.
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(electron.session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalled();
    const [scheme, serve] = electron.protocol.handle.mock.calls[0] as unknown as [string, (r: Request) => Promise<Response>];
    expect(scheme).toBe('app');
    const page = await serve(new Request(APP_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // Every web contents created later is hardened too.
    const other = new fake.FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.setWindowOpenHandler).toHaveBeenCalled();

    // The handlers: built for Electron over the real services, one ipcMain handler per channel.
    expect(fake.createHandlers).toHaveBeenCalledTimes(1);
    const deps = fake.createHandlers.mock.calls[0]![0] as HandlerDeps;
    expect(deps).toMatchObject({ mode: 'electron', stateDir: paths.stateDir });
    expect(deps.dialogs?.openTopology).toBeTypeOf('function');
    expect(await deps.targets.list()).toEqual([]);
    const registered = new Map(electron.ipcMain.handle.mock.calls.map(([c, h]) => [c as string, h as (e: IpcMainInvokeEvent, p: unknown) => Promise<unknown>]));
    expect([...registered.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect(await registered.get('app:info')!(trustedEvent(window), {})).toEqual({ ok: true, value: 'app:info handled' });
    const stranger = { sender: new fake.FakeWebContents(), senderFrame: { url: APP_URL, parent: null } } as unknown as IpcMainInvokeEvent;
    vi.spyOn(console, 'warn').mockImplementationOnce(() => undefined);
    expect(await registered.get('app:info')!(stranger, {})).toMatchObject({ ok: false });

    // The file from argv reaches the page once it has loaded, and becomes a recent file.
    window.webContents.emit('did-finish-load');
    await vi.waitFor(() => expect(window.webContents.send).toHaveBeenCalledWith('file:opened', { path: paths.lab, text: '{"version":1}' }));
    expect(await registered.get('file:recent')!(trustedEvent(window), {})).toEqual({ ok: true, value: [paths.lab] });

    // The menu: set, rebuilt with the recent file, and its commands go to the window.
    await vi.waitFor(() => {
      const last = electron.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItemConstructorOptions[];
      expect(flatten(last).some((i) => i.label === paths.lab)).toBe(true);
    });
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalled();
    const template = electron.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItemConstructorOptions[];
    (flatten(template).find((i) => i.label === 'Save')!.click as () => void)();
    expect(window.webContents.send).toHaveBeenCalledWith('menu:command', { command: 'save' });
    expect(flatten(template).some((i) => i.role === 'toggleDevTools')).toBe(true);

    // The unsaved-changes guard asks natively; "Discard changes" lets the window close.
    const unload = { preventDefault: vi.fn() };
    window.webContents.emit('will-prevent-unload', unload);
    expect(electron.dialog.showMessageBoxSync).toHaveBeenCalledWith(window, expect.objectContaining({ message: 'Discard unsaved changes?' }));
    expect(unload.preventDefault).toHaveBeenCalled();

    // A second launch with a file focuses this window and opens the file in it.
    const second = join(paths.root, 'second.json');
    writeFileSync(second, '{"version":1,"name":"second"}');
    window.webContents.isLoading = () => false;
    electron.app.emit('second-instance', {}, ['/opt/nsd/netns-designer', 'second.json'], paths.root);
    expect(window.focus).toHaveBeenCalled();
    await vi.waitFor(() => expect(window.webContents.send).toHaveBeenCalledWith('file:opened', { path: second, text: '{"version":1,"name":"second"}' }));

    // Closing saves the window state for the next start.
    window.emit('close');
    await vi.waitFor(() => expect(existsSync(join(paths.stateDir, 'window-state.json'))).toBe(true));
    const { loadWindowState } = await import('../../../src/main/app/window-state.js');
    expect(await loadWindowState(paths.stateDir)).toEqual({ x: 40, y: 30, width: 1100, height: 700, maximized: true });
  });

  it('says how to build the app when the renderer or preload is missing', async () => {
    const paths = scratch();
    electron.app.getPath.mockReturnValue(paths.stateDir);
    startApp({ ...paths, rendererRoot: join(paths.root, 'nowhere') });
    fake.fireReady();
    vi.spyOn(console, 'error').mockImplementationOnce(() => undefined);
    await vi.waitFor(() => expect(electron.app.exit).toHaveBeenCalledWith(1));
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Netns Designer could not start', expect.stringContaining('npm run build:app'));
  });
});
