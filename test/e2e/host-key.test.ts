/**
 * A saved SSH host the app has never seen: its key fingerprint is shown before anything runs;
 * refused, nothing runs; trusted, it is remembered in the app's own known_hosts and not asked
 * again. The host is a sandbox lab host's sshd reached through a link to its socket in the
 * test's HOME (no lab.json beside it, so known_hosts decides, as for any host). Through the lab
 * host's own socket it is trusted by its lab.json: never asked, never stored.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp } from '../../src/main/lab/lab-host.js';
import type { LabInfo } from '../../src/main/lab/lab-info.js';
import { openDesigner, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer host-key test (test/e2e/host-key.test.ts)');

describe.skipIf(skip)('designer: an unknown host key', () => {
  let d: Designer;
  let home = '';
  let info: LabInfo;
  const lab = new TestLabBase(() => ({ HOME: home, XDG_CONFIG_HOME: undefined, SSH_AUTH_SOCK: undefined }));
  const env = (): Record<string, string | undefined> => lab.env();
  beforeAll(async () => {
    lab.make();
    home = mkdtempSync(join(tmpdir(), 'nsd-e2e-home-'));
    info = (await labUp('default', env())).info;
    d = await openDesigner({ query: 'template=01-veth-pair', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('shows the fingerprint, runs nothing when refused, and remembers a trusted key', async () => {
    const { page } = d;
    await page.getByRole('button', { name: 'Hosts…' }).click();
    await page.getByTestId('target-label').fill('sandbox');
    await page.getByTestId('target-host').fill(`root@${info.host}`);
    await page.getByTestId('target-key').fill(info.privateKey);
    const relay = join(home, 'relay.sock');
    symlinkSync(info.socket, relay);
    await page.getByTestId('target-socket').fill(relay);
    await page.getByTestId('target-save').click();
    await page.getByTestId('targets-dialog').getByRole('button', { name: 'Close' }).click();
    expect(await page.getByTestId('target').inputValue()).toMatch(/^ssh:/);

    await page.getByTestId('status').click();
    const prompt = page.getByTestId('host-key-prompt');
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toContain(info.hostKeyFingerprint);
    await d.shot('6-01-host-key');
    await prompt.getByRole('button', { name: 'Refuse' }).click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 30_000 }).toMatch(/^status: .*(not trusted|unknown)/i);
    expect(await page.getByTestId('run-log').textContent()).not.toMatch(/lab veth-pair is/);
    const store = join(home, '.config', 'netns-designer', 'known_hosts');
    expect(existsSync(store)).toBe(false);

    await page.getByTestId('status').click();
    await prompt.waitFor({ timeout: 30_000 });
    await page.getByTestId('trust-host-key').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 30_000 }).toBe('status: the lab is down');
    expect(readFileSync(store, 'utf8')).toContain(info.hostKeyLine.split(' ').slice(1).join(' '));

    await page.getByTestId('status').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 30_000 }).toBe('status: the lab is down');
    expect(await prompt.count()).toBe(0);
    await d.shot('6-02-trusted');

    // The same sshd through the lab host's own socket: trusted by its lab.json, even though the
    // store now holds the key under the same address; nothing asked, nothing added to the store.
    const stored = readFileSync(store, 'utf8');
    await page.getByRole('button', { name: 'Hosts…' }).click();
    await page.getByTestId('target-label').fill('sandbox itself');
    await page.getByTestId('target-host').fill(`root@${info.host}`);
    await page.getByTestId('target-key').fill(info.privateKey);
    await page.getByTestId('target-socket').fill(info.socket);
    await page.getByTestId('target-save').click();
    await page.getByTestId('targets-dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('status').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 30_000 }).toBe('status: the lab is down');
    expect(await prompt.count()).toBe(0);
    expect(readFileSync(store, 'utf8')).toBe(stored);
    expect(d.errors).toEqual([]);
  });
});
