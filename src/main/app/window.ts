/**
 * The secure window, after Electron's security checklist (docs/tutorial/security.md): isolated,
 * sandboxed renderer without Node, a strict CSP, no navigation, no new windows, no permissions,
 * external links only to allow-listed https pages.
 */
import { shell, type BrowserWindowConstructorOptions, type MessageBoxSyncOptions, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY, isAppUrl } from './bundle-protocol.js';
import { MIN_HEIGHT, MIN_WIDTH, type WindowState } from './window-state.js';

/** The renderer's CSP (defined beside the bundle it protects, which the browser entry serves too). */
export { CONTENT_SECURITY_POLICY };

/** Pages shell.openExternal may open: the project's own pages on GitHub. */
export const EXTERNAL_ALLOW_LIST: readonly { host: string; pathPrefix: string }[] = [{ host: 'github.com', pathPrefix: '/netns-designer' }];
/** Where Help > Documentation goes. */
export const DOCS_URL = 'https://github.com/netns-designer/netns-designer#readme';

/**
 * Permissions granted, to the app's own page only: writing text to the clipboard (the script
 * panel's Copy button). Everything else (camera, notifications, clipboard reading...) is denied.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** BrowserWindow options for the main window at `state`, loading `preloadPath`. */
export function windowOptions(
  state: WindowState,
  preloadPath: string,
  opts: { devTools?: boolean; icon?: string } = {},
): BrowserWindowConstructorOptions {
  return {
    ...(state.x === undefined || state.y === undefined ? {} : { x: state.x, y: state.y }),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    // Shown on 'ready-to-show', so the window never flashes white before the UI paints.
    show: false,
    title: 'Netns Designer',
    backgroundColor: '#f6f7f9', // the renderer's own background (styles.css --bg)
    ...(opts.icon === undefined ? {} : { icon: opts.icon }),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: opts.devTools ?? false,
    },
  };
}

/** The allow-listed https URL, normalized, or undefined when `url` may not be opened. */
export function allowedExternalUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return undefined;
  const allowed = EXTERNAL_ALLOW_LIST.some(
    ({ host, pathPrefix }) => parsed.hostname === host && (parsed.pathname === pathPrefix || parsed.pathname.startsWith(`${pathPrefix}/`)),
  );
  return allowed ? parsed.href : undefined;
}

/** Opens `url` in the user's browser if it is allow-listed; says whether it did. */
export function openExternalSafely(url: string): boolean {
  const allowed = allowedExternalUrl(url);
  if (allowed === undefined) return false;
  shell.openExternal(allowed).catch((e: unknown) => console.error(`cannot open ${allowed}:`, e));
  return true;
}

/** Stops `contents` from navigating, opening windows or attaching webviews. */
export function hardenWebContents(contents: WebContents): void {
  // The UI is one page; any navigation (a dropped file, a link, a script) would replace it.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}

/** Whether the app's page may have `permission`; `origin` is the requesting URL or origin. */
export function isPermissionGranted(permission: string, origin: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(origin);
}

/** `headers` with the app's CSP in place of any other. */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** Denies permission requests and checks, and puts the CSP on every response of `session`. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

/** The question asked when the page refuses to unload because the lab has unsaved changes. */
export const UNSAVED_CHANGES_DIALOG: MessageBoxSyncOptions = {
  type: 'warning',
  title: 'Unsaved changes',
  message: 'Discard unsaved changes?',
  detail: 'This lab has changes that are not saved. Closing now loses them.',
  buttons: ['Discard changes', 'Keep editing'],
  defaultId: 1,
  cancelId: 1,
  noLink: true,
};
/** The index of "Discard changes" in UNSAVED_CHANGES_DIALOG.buttons. */
export const DISCARD_BUTTON = 0;

/**
 * The unsaved-changes guard, Electron's documented pattern: the renderer's `beforeunload`
 * handler cancels the unload while the document is dirty, Electron emits 'will-prevent-unload',
 * and when the user chooses to discard, preventDefault() lets the window close after all.
 */
export function installUnloadGuard(contents: WebContents, confirmDiscard: () => boolean): void {
  contents.on('will-prevent-unload', (event) => {
    if (confirmDiscard()) event.preventDefault();
  });
}
