/**
 * The Electron entry: one instance, one secure window showing the renderer from app://bundle,
 * the menu, and the contract's handlers on IPC. Everything that decides lives in the modules it
 * wires together (window, ipc, menu, window-state, the services); this file only connects them.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { app, BrowserWindow, dialog, Menu, protocol, safeStorage, screen, session, type WebContents } from 'electron';
import { createFileService } from '../services/files.js';
import { createHandlers } from '../services/handlers.js';
import { safeStorageBox } from '../services/secret-box.js';
import { createTargetStore } from '../services/targets.js';
import type { FileService } from '../services/types.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, bundleHandler } from './bundle-protocol.js';
import { electronDialogs } from './dialogs.js';
import { registerAppHandlers, webContentsSink } from './ipc.js';
import { errorMessage } from '../../shared/ipc/contract.js';
import { dispatchMenuCommand, menuTemplate, type MenuActions } from './menu.js';
import {
  CONTENT_SECURITY_POLICY,
  DISCARD_BUTTON,
  DOCS_URL,
  UNSAVED_CHANGES_DIALOG,
  hardenSession,
  hardenWebContents,
  installUnloadGuard,
  openExternalSafely,
  windowOptions,
} from './window.js';
import { clampToDisplays, loadWindowState, saveWindowState } from './window-state.js';
import { ICON_FILE, RENDERER_DIR } from '../package-paths.js';

/** dist/main/app → dist (the preload is built beside main, not a package path). */
const DIST = join(import.meta.dirname, '..', '..');

export interface AppPaths {
  /** The sandboxed preload, one CommonJS file (npm run build:preload). */
  preloadPath: string;
  /** The built renderer with its index.html (npm run build:renderer). */
  rendererRoot: string;
  icon?: string;
}

export const DEFAULT_PATHS: AppPaths = {
  preloadPath: join(DIST, 'preload', 'preload.cjs'),
  rendererRoot: RENDERER_DIR,
  icon: ICON_FILE,
};

/**
 * The file a command line asks to open (`netns-designer lab.json`), made absolute against the
 * directory it was typed in. `defaultApp` is true under `electron .`, whose argv also holds the
 * app path; Chromium's own switches are skipped.
 */
export function fileFromArgv(argv: readonly string[], cwd: string, defaultApp: boolean): string | undefined {
  const args = argv.slice(defaultApp ? 2 : 1).filter((a) => !a.startsWith('-'));
  const first = args[0];
  return first === undefined || first === '' ? undefined : resolve(cwd, first);
}

/** `files` that calls `changed` after every open and save, so that Open Recent stays current. */
export function notifyingRecent(files: FileService, changed: () => void): FileService {
  return {
    ...files,
    async open(path) {
      const result = await files.open(path);
      changed();
      return result;
    },
    async save(path, text) {
      const result = await files.save(path, text);
      changed();
      return result;
    },
  };
}

function fatal(error: unknown): void {
  console.error('netns-designer:', error);
  dialog.showErrorBox('Netns Designer could not start', errorMessage(error));
  app.exit(1);
}

/** Starts the desktop app: call once, before the 'ready' event. */
export function startApp(paths: AppPaths = DEFAULT_PATHS): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // Another instance runs: it receives our argv through 'second-instance' and opens the file.
    app.quit();
    return;
  }

  let mainWindow: BrowserWindow | undefined;
  let files: FileService | undefined;
  let pendingFile = fileFromArgv(process.argv, process.cwd(), process.defaultApp === true);

  const liveWindow = (): BrowserWindow | undefined => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);
  const isOurWindow = (contents: WebContents): boolean => liveWindow()?.webContents === contents;

  /** Opens `path` and hands it to the window's page (the renderer asks before discarding changes). */
  const deliver = (window: BrowserWindow, path: string): void => {
    if (!files) return;
    files
      .open(path)
      .then((opened) => webContentsSink(window.webContents).send('file:opened', opened))
      .catch((e: unknown) => dialog.showErrorBox('Cannot open the file', errorMessage(e)));
  };
  /** deliver(), once there is a window whose page has loaded. */
  const openInWindow = (path: string): void => {
    const window = liveWindow();
    if (!window || !files) pendingFile = path;
    else if (window.webContents.isLoading()) window.webContents.once('did-finish-load', () => deliver(window, path));
    else deliver(window, path);
  };

  const actions: MenuActions = {
    command(command) {
      // The focused window when it is ours (not, say, detached DevTools), else the main window.
      const focused = BrowserWindow.getFocusedWindow();
      const target = focused && isOurWindow(focused.webContents) ? focused : liveWindow();
      if (target) dispatchMenuCommand(target.webContents, command);
    },
    openRecent: (path) => openInWindow(path),
    openDocs: () => void openExternalSafely(DOCS_URL),
  };

  const refreshMenu = async (): Promise<void> => {
    const recent = files ? await files.recent().catch(() => []) : [];
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, recent, actions, { devTools: !app.isPackaged })));
  };

  const createWindow = async (stateDir: string): Promise<void> => {
    const primary = screen.getPrimaryDisplay();
    const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
    const state = clampToDisplays(await loadWindowState(stateDir), [primary, ...others].map((d) => d.workArea));
    const window = new BrowserWindow(windowOptions(state, paths.preloadPath, { devTools: !app.isPackaged, ...(paths.icon ? { icon: paths.icon } : {}) }));
    mainWindow = window;
    if (state.maximized) window.maximize();
    window.once('ready-to-show', () => window.show());
    installUnloadGuard(window.webContents, () => dialog.showMessageBoxSync(window, UNSAVED_CHANGES_DIALOG) === DISCARD_BUTTON);
    // 'close' comes before the page's beforeunload; saving here is harmless if the close is cancelled.
    window.on('close', () => {
      saveWindowState(stateDir, { ...window.getNormalBounds(), maximized: window.isMaximized() }).catch((e: unknown) =>
        console.error('cannot save the window state:', e),
      );
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = undefined;
    });
    window.webContents.on('render-process-gone', (_event, details) => console.error(`renderer gone: ${details.reason}`));
    if (pendingFile !== undefined) {
      const file = pendingFile;
      pendingFile = undefined;
      window.webContents.once('did-finish-load', () => deliver(window, file));
    }
    await window.loadURL(APP_URL);
  };

  const ready = async (): Promise<void> => {
    const stateDir = app.getPath('userData');
    if (!existsSync(join(paths.rendererRoot, 'index.html')) || !existsSync(paths.preloadPath)) {
      throw new Error(`the designer is not built (${paths.rendererRoot}, ${paths.preloadPath}); run: npm run build:app`);
    }
    app.setAboutPanelOptions({ applicationName: 'Netns Designer', applicationVersion: app.getVersion(), website: DOCS_URL });
    hardenSession(session.defaultSession);
    protocol.handle(APP_SCHEME, bundleHandler(paths.rendererRoot, CONTENT_SECURITY_POLICY));

    files = notifyingRecent(createFileService({ stateDir }), () => void refreshMenu());
    const targets = createTargetStore({ file: join(stateDir, 'targets.json'), secrets: safeStorageBox(safeStorage) });
    const handlers = createHandlers({
      mode: 'electron',
      files,
      targets,
      dialogs: electronDialogs(liveWindow),
      stateDir,
      version: app.getVersion(),
    });
    registerAppHandlers(handlers, isOurWindow);
    await refreshMenu();
    await createWindow(stateDir);
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const window = liveWindow();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    const file = fileFromArgv(argv, workingDirectory, process.defaultApp === true);
    if (file !== undefined) openInWindow(file);
  });
  // macOS hands files to a running app (Finder, dock) this way instead of argv.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openInWindow(path);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!liveWindow() && files) createWindow(app.getPath('userData')).catch(fatal);
  });
  app.whenReady().then(ready).catch(fatal);
}

// Under Electron this module is the app; imported elsewhere (tests) it only exports.
if (process.versions.electron !== undefined) startApp();
