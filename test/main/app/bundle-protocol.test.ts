import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_URL, bundleFile, bundleHandler, isAppUrl } from '../../../src/main/app/bundle-protocol.js';

const CSP = "default-src 'self'";

function bundle(): string {
  const root = mkdtempSync(join(tmpdir(), 'nsd-bundle-'));
  mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  return join(root, 'renderer');
}

describe('bundle-protocol', () => {
  it('loads the app from app://bundle/index.html', () => {
    expect(APP_URL).toBe('app://bundle/index.html');
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('https://bundle/index.html')).toBe(false);
    expect(isAppUrl('garbage')).toBe(false);
  });

  it.each([
    ['app://bundle/index.html', 'index.html'],
    ['app://bundle/', 'index.html'],
    ['app://bundle/assets/index-abc.js?v=1#x', 'assets/index-abc.js'],
    ['app://bundle/../secret.txt', 'inside'],
    ['app://bundle/%2e%2e/secret.txt', 'inside'],
    ['app://bundle/assets/..%2f..%2fsecret.txt', undefined],
    ['app://bundle/a%00b', undefined],
    ['app://bundle/%E0%A4%A', undefined],
    ['app://elsewhere/index.html', undefined],
    ['file:///etc/passwd', undefined],
  ])('maps %s to %s', (url, expected) => {
    const root = '/srv/renderer';
    const got = bundleFile(root, url);
    if (expected === 'inside') {
      // The URL parser already removed the dot segment: it can only name a file inside the bundle.
      expect(got?.startsWith(`${root}/`)).toBe(true);
    } else {
      expect(got).toBe(expected === undefined ? undefined : join(root, expected));
    }
  });

  it('serves bundle files with their type and the CSP, and nothing outside the bundle', async () => {
    const root = bundle();
    const serve = bundleHandler(root, CSP);
    const index = await serve(new Request('app://bundle/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(await index.text()).toContain('<title>x</title>');
    const script = await serve(new Request('app://bundle/assets/index-abc.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await serve(new Request('app://bundle/assets/..%2f..%2fsecret.txt'))).status).toBe(404);
    expect((await serve(new Request('app://bundle/missing.js'))).status).toBe(404);
    expect((await serve(new Request('app://bundle/assets'))).status).toBe(404);
    expect((await serve(new Request('app://bundle/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
