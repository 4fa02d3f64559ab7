/**
 * Scenario 3: a duplicate address made on purpose shows in the problems list and on the canvas,
 * and deploy is refused (by the UI and by main) until it is fixed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickElement, openDesigner, skipWithoutChromium, type Designer } from './designer.js';

const skip = skipWithoutChromium('the designer mistakes test (test/e2e/mistakes.test.ts)');

describe.skipIf(skip)('designer: a duplicate address', () => {
  let d: Designer;
  beforeAll(async () => {
    // An empty lab directory: no lab host is up, so an accepted run:start cannot deploy anywhere.
    d = await openDesigner({ query: 'template=02-bridge', env: { ...process.env, NSD_LAB_DIR: mkdtempSync(join(tmpdir(), 'nsd-e2e-nolab-')) } });
  });
  afterAll(async () => {
    await d?.close();
  });

  /** run:start straight to main, as a window that ignored the UI's refusal would send it. */
  const startRunDirectly = (): Promise<{ ok: boolean; message?: string }> =>
    d.page.evaluate(
      async ([token]) => {
        const doc = (window as unknown as { __nsdDoc?: () => unknown }).__nsdDoc?.();
        const res = await fetch('/api/invoke/run:start', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-nsd-client': 'e2e-direct-client', 'content-type': 'application/json' },
          body: JSON.stringify({ doc, target: { kind: 'lab', name: 'default' }, action: 'up' }),
        });
        const body = (await res.json()) as { ok: boolean; value?: { ok: boolean; message?: string }; error?: string };
        return body.value ?? { ok: false, message: body.error };
      },
      [d.server.token],
    );

  it('marks the link, lists the problem, blocks deploy, and lets go once fixed', async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await clickElement(page, 'blue-vnet0');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.1/24');

    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('1 errors');
    const problem = page.getByTestId('problem').first();
    expect(await problem.textContent()).toMatch(/address 192\.168\.15\.1\/24 is already used by veth-red/);
    expect(await page.getByTestId('prop-a-addresses').getAttribute('aria-invalid')).toBe('true');
    const invalid = await page.evaluate(() => window.__nsdCanvas!.cy.$('.invalid').map((e) => e.id()));
    expect(invalid).toContain('blue-vnet0');
    expect(await page.getByTestId('deploy').isDisabled()).toBe(true);
    expect(await page.getByTestId('run-blocked').textContent()).toContain('1 error');
    const refused = await startRunDirectly();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/1 error/);
    await d.shot('3-01-duplicate-address');

    // A click on the problem selects its element.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Lab');
    await problem.click();
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toMatch(/^Link (blue|red)-vnet0$/);

    await clickElement(page, 'blue-vnet0');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.2/24');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    expect(await page.evaluate(() => window.__nsdCanvas!.cy.$('.invalid').length)).toBe(0);
    expect(await page.getByTestId('run-blocked').count()).toBe(0);
    const accepted = await startRunDirectly();
    // Main now accepts the drawing; it refuses only because no lab host is running here.
    expect(accepted.ok).toBe(false);
    expect(accepted.message).toMatch(/lab host "default" is not up/);
    await d.shot('3-02-fixed');
    expect(d.errors).toEqual([]);
  });
});
