import { EventEmitter } from 'node:events';
import type { Session, WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ shell: { openExternal: vi.fn(() => Promise.resolve()) } }));
vi.mock('electron', () => electron);

const {
  CONTENT_SECURITY_POLICY,
  DISCARD_BUTTON,
  UNSAVED_CHANGES_DIALOG,
  allowedExternalUrl,
  hardenSession,
  hardenWebContents,
  installUnloadGuard,
  isPermissionGranted,
  windowOptions,
} = await import('../../../src/main/app/window.js');

type OpenHandler = Parameters<WebContents['setWindowOpenHandler']>[0];

class FakeContents extends EventEmitter {
  openHandler: OpenHandler | undefined;
  setWindowOpenHandler(handler: OpenHandler): void {
    this.openHandler = handler;
  }
}

function fakeEvent(): { preventDefault: ReturnType<typeof vi.fn> } {
  return { preventDefault: vi.fn() };
}

function directives(csp: string): Record<string, string> {
  return Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

beforeEach(() => electron.shell.openExternal.mockClear());

describe('window', () => {
  it('creates an isolated, sandboxed window without Node and with the preload', () => {
    const options = windowOptions({ width: 1200, height: 800, maximized: false }, '/app/dist/preload/preload.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      devTools: false,
    });
    expect(options).toMatchObject({ width: 1200, height: 800, show: false });
    expect(options).not.toHaveProperty('x');
    expect(windowOptions({ x: 5, y: 6, width: 900, height: 600, maximized: true }, '/p', { devTools: true })).toMatchObject({
      x: 5,
      y: 6,
      webPreferences: { devTools: true },
    });
  });

  it('has a CSP that allows only the app itself to run code', () => {
    expect(directives(CONTENT_SECURITY_POLICY)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data: blob:",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('prevents every navigation and webview', () => {
    const contents = new FakeContents();
    hardenWebContents(contents as unknown as WebContents);
    const navigate = fakeEvent();
    contents.emit('will-navigate', navigate, 'https://evil.example/');
    expect(navigate.preventDefault).toHaveBeenCalled();
    const webview = fakeEvent();
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('denies window.open and opens only allow-listed https pages in the browser', () => {
    const contents = new FakeContents();
    hardenWebContents(contents as unknown as WebContents);
    const open = (url: string) => contents.openHandler!({ url } as Parameters<OpenHandler>[0]);
    expect(open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(open('https://github.com/netns-designer/netns-designer/issues')).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal.mock.calls).toEqual([['https://github.com/netns-designer/netns-designer/issues']]);
  });

  it.each([
    ['https://github.com/netns-designer/netns-designer#readme', 'https://github.com/netns-designer/netns-designer#readme'],
    ['https://github.com/netns-designer', 'https://github.com/netns-designer'],
    ['https://github.com/netns-designer-evil/x', undefined],
    ['https://github.com/someone-else/netns-designer', undefined],
    ['http://github.com/netns-designer/netns-designer', undefined],
    ['https://github.com.evil.example/netns-designer/', undefined],
    ['https://user:pw@github.com/netns-designer/x', undefined],
    ['https://github.com:8443/netns-designer/x', undefined],
    ['file:///etc/passwd', undefined],
    ['javascript:alert(1)', undefined],
    ['not a url', undefined],
  ])('allows %s to open externally: %s', (url, expected) => {
    expect(allowedExternalUrl(url)).toBe(expected);
  });

  it('denies permission requests and checks, except clipboard writes by the app page', () => {
    const handlers: {
      request?: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
      check?: (contents: unknown, permission: string, origin: string) => boolean;
      headers?: (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders: Record<string, string[]> }) => void) => void;
    } = {};
    const session = {
      setPermissionRequestHandler: (h: typeof handlers.request) => (handlers.request = h),
      setPermissionCheckHandler: (h: typeof handlers.check) => (handlers.check = h),
      webRequest: { onHeadersReceived: (h: typeof handlers.headers) => (handlers.headers = h) },
    };
    hardenSession(session as unknown as Session);

    const ask = (permission: string, url: string): boolean => {
      let granted: boolean | undefined;
      handlers.request!({}, permission, (g) => (granted = g), { requestingUrl: url });
      return granted!;
    };
    expect(ask('media', 'app://bundle/index.html')).toBe(false);
    expect(ask('notifications', 'app://bundle/index.html')).toBe(false);
    expect(ask('clipboard-read', 'app://bundle/index.html')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'app://bundle/index.html')).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(handlers.check!({}, 'geolocation', 'app://bundle')).toBe(false);
    expect(handlers.check!({}, 'clipboard-sanitized-write', 'app://bundle')).toBe(true);
    expect(isPermissionGranted('openExternal', 'app://bundle')).toBe(false);

    let response: Record<string, string[]> | undefined;
    handlers.headers!({ responseHeaders: { 'content-type': ['text/html'], 'content-security-policy': ["default-src *"] } }, (r) => (response = r.responseHeaders));
    expect(response).toEqual({ 'content-type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    handlers.headers!({}, (r) => (response = r.responseHeaders));
    expect(response).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('lets a dirty window close only when the user chooses to discard', () => {
    const contents = new FakeContents();
    let answer = false;
    installUnloadGuard(contents as unknown as WebContents, () => answer);
    const kept = fakeEvent();
    contents.emit('will-prevent-unload', kept);
    expect(kept.preventDefault).not.toHaveBeenCalled();
    answer = true;
    const discarded = fakeEvent();
    contents.emit('will-prevent-unload', discarded);
    expect(discarded.preventDefault).toHaveBeenCalled();
    expect(UNSAVED_CHANGES_DIALOG.buttons?.[DISCARD_BUTTON]).toBe('Discard changes');
    expect(UNSAVED_CHANGES_DIALOG.cancelId).not.toBe(DISCARD_BUTTON);
    expect(UNSAVED_CHANGES_DIALOG.defaultId).not.toBe(DISCARD_BUTTON);
  });
});
