/**
 * One machine, several designers: the default sandbox lab host already holds another user's lab.
 * The target selector says so (which lab, from which drawing, since when) before anything is deployed, and the user
 * starts a lab host of their own under a name of their choosing (checked with the one lab-name
 * rule), picks it, deploys into it, and sees it occupied by their lab while the default one
 * still holds only the other user's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labOccupancy, labUp } from '../../src/main/lab/lab-host.js';
import { EXIT } from '../../src/shared/exit-codes.js';
import { runNsd } from '../support/cli.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { openDesigner, skipWithoutLabHost, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer lab host occupancy test (test/e2e/lab-hosts.test.ts)');

describe.skipIf(skip)('designer: lab hosts, what occupies them, and one of my own', () => {
  let d: Designer;
  let base = '';
  let home = '';
  const env = (): Record<string, string | undefined> => ({ ...process.env, NSD_LAB_DIR: base });
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'nsd-e2e-labs-'));
    home = mkdtempSync(join(tmpdir(), 'nsd-e2e-other-'));
    // Another user: builds the default lab host and deploys the bridge example into it from the CLI.
    const { info } = await labUp('default', env());
    const other = await runNsd(['deploy', join(EXAMPLES_DIR, '02-bridge.json'), '--host', `root@${info.host}`, '-i', info.privateKey, '--socket', info.socket], {
      env: { ...env(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SSH_AUTH_SOCK: '' },
    });
    expect(other.code, other.stderr).toBe(EXIT.ok);
    d = await openDesigner({ query: 'template=01-veth-pair', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    if (base) {
      for (const name of ['default', 'ada-lab']) await labDown(name, env()).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('shows who occupies the default lab host, starts a named one, and deploys into it', async () => {
    const { page } = d;
    const target = page.getByTestId('target');
    const label = (value: string) => target.locator(`option[value="${value}"]`).textContent();
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    expect(await target.inputValue()).toBe('lab:default');
    // The other user's lab, named in the selector and detailed under it.
    await expect.poll(() => label('lab:default')).toMatch(/^local sandbox lab host \(healthy, in use: bridge since \d{1,2}:\d{2}:\d{2}\)$/);
    expect(await page.getByTestId('lab-occupancy').textContent()).toMatch(/lab bridge from 02-bridge\.json \("Many namespaces on a bridge"\): namespaces \S+/);
    await d.shot('3-01-default-occupied');

    // A name the lab-name rule refuses cannot be started; the message says why.
    const name = page.getByTestId('new-lab-name');
    await name.fill('../ada');
    expect(await page.getByTestId('new-lab-problem').textContent()).toMatch(/lab name "..\/ada": use 1-32 letters, digits/);
    expect(await page.getByTestId('new-lab-start').isDisabled()).toBe(true);
    await name.fill('default');
    expect(await page.getByTestId('new-lab-problem').textContent()).toContain('exists already');

    await name.fill('ada-lab');
    expect(await page.getByTestId('new-lab-problem').count()).toBe(0);
    await page.getByTestId('new-lab-start').click();
    await expect.poll(() => target.inputValue(), { timeout: 60_000 }).toBe('lab:ada-lab');
    expect(await name.inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('lab-toggle').textContent()).toBe('Stop lab host');
    expect(await label('lab:ada-lab')).toBe('sandbox lab host "ada-lab" (healthy, empty)');
    await d.shot('3-02-own-lab-host');

    // Saved first: the deploy names the drawing's file, and the lab host's occupancy shows it.
    await page.keyboard.press('Control+s');
    await page.getByTestId('path-input').fill('my pair.json');
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toMatch(/^Saved .*my pair\.json$/);
    await page.getByTestId('deploy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 90_000 }).toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    await expect.poll(() => label('lab:ada-lab')).toMatch(/^sandbox lab host "ada-lab" \(healthy, in use: veth-pair since \d{1,2}:\d{2}:\d{2}\)$/);
    expect(await page.getByTestId('lab-occupancy').textContent()).toMatch(/lab veth-pair from my pair\.json \("Two namespaces on a veth cable"\): namespaces blue, red; since /);
    // The deploy went to my lab host only: the default one still holds just the other user's lab.
    expect(labOccupancy('default', env()).occupants.map((o) => o.lab)).toEqual(['bridge']);
    expect(labOccupancy('ada-lab', env()).occupants.map((o) => o.lab)).toEqual(['veth-pair']);
    await target.focus();
    await expect.poll(() => label('lab:default')).toMatch(/in use: bridge since/);
    await d.shot('3-03-deployed-to-own');
    expect(d.errors).toEqual([]);
  });
});
