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

  it('says the server stopped and how to start it again when a request finds no server', async () => {
    const { page } = d;
    await d.server.close();
    await page.keyboard.press('Control+s');
    await page.getByTestId('path-input').fill('pair.json');
    await page.getByTestId('path-ok').click();
    const bar = page.getByTestId('status-bar');
    await expect.poll(() => bar.textContent()).toBe(SERVER_GONE);
    expect(await bar.getAttribute('class')).toContain('error');
    await d.shot('9-02-server-gone');
  });
});
