/**
 * A delay set on a link shows in the probes' times: the designer deploys the bridge template
 * with 50 ms on red's cable over SSH to a lab host whose kernel has netem (User-Mode Linux with
 * a real sshd, test/lab/uml.ts startUmlLabHost, saved as a host with its unix socket), verify
 * passes, and red -> blue took about 100 ms in the matrix and in the run log; destroy then
 * leaves the lab down.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireUml, startUmlLabHost, type UmlLabHost } from '../lab/uml.js';
import { skipUnless } from '../support/tools.js';
import { clickElement, openDesigner, skipWithoutLabHost, type Designer } from './designer.js';

const SUITE = 'the designer netem-over-SSH test (test/e2e/netem-uml.test.ts)';
const skip = skipWithoutLabHost(SUITE) || requireUml(SUITE) || skipUnless(SUITE, { "/dev/net/tun (UML's eth0 is a TAP device)": existsSync('/dev/net/tun') });

describe.skipIf(skip)('designer: a delay on a link shows in the probe times (UML lab host)', () => {
  let d: Designer | undefined;
  let uml: UmlLabHost | undefined;
  let home = '';
  beforeAll(async () => {
    uml = await startUmlLabHost();
    home = mkdtempSync(join(tmpdir(), 'nsd-e2e-home-'));
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh', 'lab_key'), uml.rootKey, { mode: 0o600 });
    writeFileSync(join(home, '.ssh', 'known_hosts'), uml.knownHosts);
    mkdirSync(join(home, 'labs'));
    d = await openDesigner({ query: 'template=02-bridge', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: undefined, SSH_AUTH_SOCK: undefined, NSD_LAB_DIR: join(home, 'labs') } });
  }, 300_000);
  afterAll(async () => {
    await d?.close();
    await uml?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('deploys 50 ms on red-vnet0 and verify reports red -> blue in about 100 ms', async () => {
    const { page } = d!;
    await page.getByRole('button', { name: 'Hosts…' }).click();
    await page.getByTestId('target-label').fill('uml');
    await page.getByTestId('target-host').fill(`root@${uml!.host}`);
    await page.getByTestId('target-key').fill(join(home, '.ssh', 'lab_key'));
    await page.getByTestId('target-socket').fill(uml!.socketPath);
    await page.getByTestId('target-save').click();
    await page.getByTestId('targets-dialog').getByRole('button', { name: 'Close' }).click();
    expect(await page.getByTestId('target').inputValue()).toMatch(/^ssh:/);

    await clickElement(page, 'red-vnet0');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link red-vnet0');
    await page.getByTestId('prop-netem-delayMs').fill('50');
    await expect.poll(() => page.evaluate(() => window.__nsdCanvas!.cy.getElementById('red-vnet0').data('badge') as string)).toBe('50 ms');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');

    await page.getByTestId('deploy').click();
    const summary = page.getByTestId('run-summary');
    await expect.poll(() => summary.textContent(), { timeout: 300_000 }).toMatch(/^verify: done|failed at/);
    expect(await summary.textContent(), (await page.getByTestId('run-log').textContent()) ?? '').toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    const title = (await page.getByTestId('cell-red-blue').getAttribute('title')) ?? '';
    const ms = Number(/\(([\d.]+) ms\)/.exec(title)?.[1]);
    // What lab.sh says about an impaired path shows too.
    expect(title).toMatch(/ — passed on try 1 of 1; the path has \d+ ms of delay there and back \(netem on red-vnet0\)$/);
    expect(ms, title).toBeGreaterThanOrEqual(90);
    expect(ms, title).toBeLessThanOrEqual(300);
    // blue <-> green do not cross red's cable: no delay there.
    const other = Number(/\(([\d.]+) ms\)/.exec((await page.getByTestId('cell-blue-green').getAttribute('title')) ?? '')?.[1]);
    expect(other).toBeLessThan(90);
    expect(await page.getByTestId('run-log').textContent()).toContain('the path has 100 ms of delay there and back (netem on red-vnet0)');
    await d!.shot('10-06-netem-probe-times');

    await page.getByTestId('destroy').click();
    await expect.poll(() => summary.textContent(), { timeout: 300_000 }).toMatch(/^destroy: done/);
    await page.getByTestId('status').click();
    await expect.poll(() => summary.textContent(), { timeout: 120_000 }).toBe('status: the lab is down');
    expect(d!.errors).toEqual([]);
  }, 600_000);
});
