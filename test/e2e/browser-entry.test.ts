/**
 * What the browser entry (`nsd designer`) says about itself: saved hosts' secrets live in memory
 * only, and when its server goes away under an open page, the page says so and how to start it
 * again, instead of the browser's "Failed to fetch".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesigner, skipWithoutChromium, type Designer } from './designer.js';
import { SERVER_GONE } from '../../src/renderer/state/status.js';

const skip = skipWithoutChromium('the designer browser-entry test (test/e2e/browser-entry.test.ts)');

describe.skipIf(skip)('designer: the browser entry', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=01-veth-pair' });
  });
  afterAll(async () => {
    await d?.close();
  });

  it('says in the Hosts dialog that secrets stay in memory, not in a keychain', async () => {
    const { page } = d;
    await page.getByRole('button', { name: 'Hosts…' }).click();
    const note = (await page.getByTestId('secrets-note').textContent()) ?? '';
    expect(note).toContain('in memory only');
    expect(note).not.toContain('keychain');
    await d.shot('9-01-hosts-secrets');
    await page.getByTestId('targets-dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('targets-dialog').waitFor({ state: 'detached' });
  });

  it('says the server stopped and how to start it again, at once and when a request finds no server', async () => {
    const { page } = d;
    const bar = page.getByTestId('status-bar');
    await d.server.close();
    // Nothing clicked: the lost event stream is enough to tell.
    await expect.poll(() => bar.textContent(), { timeout: 10_000 }).toBe(SERVER_GONE);
    expect(await bar.getAttribute('class')).toContain('error');
    // Something local changes the status bar; a request afterwards says it again instead of "Failed to fetch".
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+c');
    await expect.poll(() => bar.textContent()).toMatch(/^Copied \d+ element\(s\)$/);
    await page.keyboard.press('Control+s');
    await page.getByTestId('path-input').fill('pair.json');
    await page.getByTestId('path-ok').click();
    await expect.poll(() => bar.textContent()).toBe(SERVER_GONE);
    await d.shot('9-02-server-gone');
  });
});
