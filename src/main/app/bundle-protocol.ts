/**
 * The app:// scheme that serves the built renderer (dist/renderer). Electron's checklist prefers
 * a custom protocol to file://, and the file:// way stops working once the
 * grantFileProtocolExtraPrivileges fuse is off: like a browser, Chromium then refuses the
 * module scripts Vite emits from a file:// page (origin "null"). Under app://bundle the page
 * has a real origin that the CSP's 'self' means, and no page can read files outside the bundle.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
/** What the main window loads. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** For protocol.registerSchemesAsPrivileged, before app 'ready'. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  // standard: relative URLs and an origin; secure: a secure context, like https.
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/**
 * The renderer's CSP, sent with every file of the bundle (app:// in Electron, the browser
 * entry's loopback server). style-src needs 'unsafe-inline': cytoscape adds a <style> element to the
 * page when it mounts (its container class), and inline styles cannot run code; scripts stay
 * 'self' only (no eval, no inline script).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Whether `url` is a page of the app's own bundle. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/**
 * The file under `root` that an app:// URL names, or undefined when it names none: another
 * host, a NUL byte, or a path that escapes the bundle (also percent-encoded, like %2e%2e).
 */
export function bundleFile(root: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  return bundlePath(root, parsed.pathname);
}

/**
 * The file under `root` that a URL path (still percent-encoded) names, or undefined when it names
 * none: a NUL byte, or a path that escapes the bundle (also percent-encoded, like %2e%2e).
 */
export function bundlePath(root: string, pathname: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  const rel = relative(base, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return file;
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** A bundle file's bytes and the headers it is served with, or undefined when there is no such file. */
export async function readBundleFile(file: string, contentSecurityPolicy: string): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } | undefined> {
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return {
      body: await readFile(file),
      headers: {
        'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-security-policy': contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      },
    };
  } catch {
    return undefined;
  }
}

/** The protocol.handle() handler serving the files of `root`, each with `contentSecurityPolicy`. */
export function bundleHandler(root: string, contentSecurityPolicy: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const file = bundleFile(root, request.url);
    const found = file === undefined ? undefined : await readBundleFile(file, contentSecurityPolicy);
    if (!found) return plain(404, 'not found');
    return new Response(request.method === 'HEAD' ? null : found.body, { status: 200, headers: found.headers });
  };
}
