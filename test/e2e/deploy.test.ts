/**
 * Scenario 2: open the NAT template, start the local sandbox lab host from the app, deploy the
 * template to it over SSH, watch every probe turn green on the canvas and in the matrix, destroy
 * it, and stop the lab host. Everything runs inside the lab host's own namespaces.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterLab } from '../../src/main/lab/lab-host.js';
import { openDesigner, positionOf, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer deploy test (test/e2e/deploy.test.ts)');

describe.skipIf(skip)('designer: deploy the NAT template to the sandbox lab host', () => {
  let d: Designer;
  const lab = new TestLabBase();
  const env = (): Record<string, string | undefined> => lab.env();
  beforeAll(async () => {
    lab.make();
    d = await openDesigner({ query: 'template=04-nat', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
  });

  it('deploys, verifies every probe green on the canvas, and destroys', async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    // Where the lab host can run it is the default target, and Deploy starts it when it is down.
    expect(await page.getByTestId('target').inputValue()).toBe('lab:default');
    await expect.poll(() => page.getByTestId('lab-toggle').textContent()).toBe('Start lab host');
    await page.getByTestId('deploy').click();
    await expect.poll(() => page.getByTestId('lab-toggle').textContent(), { timeout: 60_000 }).toBe('Stop lab host');
    await d.shot('2-01-lab-up');

    // The deploy runs `up`, then verify on its own; the summary ends with the probe counts.
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 90_000 }).toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    const summary = (await page.getByTestId('run-summary').textContent()) ?? '';
    // The status bar moved on from "Starting the sandbox lab host…" to what the last run did.
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toBe(summary);
    const passed = Number(/(\d+) probes passed/.exec(summary)?.[1]);
    expect(passed).toBeGreaterThan(0);
    const cells = page.getByTestId('matrix').locator('td.pass, td.fail');
    expect(await page.getByTestId('matrix').locator('td.fail').count()).toBe(0);
    expect(await cells.count()).toBeGreaterThan(0);
    // Every node that ran a probe is painted green on the canvas, none red.
    const marks = await page.evaluate(() => {
      const cy = window.__nsdCanvas!.cy;
      return { pass: cy.$('.probe-pass').map((e) => e.id()), fail: cy.$('.probe-fail').map((e) => e.id()) };
    });
    expect(marks.fail).toEqual([]);
    expect(marks.pass).toEqual(expect.arrayContaining(['red', 'blue']));
    // And the cables the probes crossed, and the internet node the NAT probes reached.
    expect(marks.pass).toEqual(expect.arrayContaining(['red-vnet0', 'blue-vnet0', 'host-internet', 'internet']));
    await d.shot('2-02-verified');

    // A probe that expects isolation where there is none: verify paints it red and says why.
    await page.getByTestId('probes').getByRole('button', { name: '+ add' }).click();
    await page.getByTestId('probe-0-from').fill('red');
    await page.getByTestId('probe-0-to').fill('blue');
    await page.getByTestId('probe-0-expect').selectOption('unreachable');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await page.getByTestId('verify').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toMatch(/^verify: .*, \d+ probes passed, 1 failed$/);
    expect(await page.evaluate(() => window.__nsdCanvas!.cy.$('.probe-fail').map((e) => e.id()))).toContain('red');
    const red = await positionOf(page, 'red');
    await page.mouse.move(red.x, red.y);
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(/red → blue \(ping\) expected unreachable, observed reachable: isolation broken/);
    expect(await page.getByTestId('matrix').locator('td.fail').getAttribute('title')).toMatch(/expected unreachable, observed reachable/);
    await d.shot('2-02b-isolation-broken');
    await page.getByTestId('probes').getByRole('button', { name: '×' }).click();

    await page.getByTestId('destroy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toMatch(/^destroy: done/);
    await page.getByTestId('status').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toBe('status: the lab is down');
    const log = (await page.getByTestId('run-log').textContent()) ?? '';
    expect(log).toMatch(/\bmissing\b/);
    expect(log).not.toMatch(/\bpresent\b/);
    await d.shot('2-03-destroyed');
    expect(d.errors).toEqual([]);
  });

  it('names and highlights a step that fails on the host, and rolls it back with Destroy', async () => {
    const { page } = d;
    // A real fault on the lab host: a file where blue's DNS directory must go.
    const inLab = (...argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    const enter = enterLab('default', env());
    expect(inLab(...enter, 'touch', '/etc/netns/blue').status).toBe(0);
    try {
      await page.getByTestId('deploy').click();
      await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 90_000 }).toMatch(/^deploy: failed at step \d+\/\d+ \(namespaces\/blue\/dns\)$/);
      const failed = (await page.getByTestId('failed-step').textContent()) ?? '';
      expect(failed).toContain('(element blue)');
      expect(failed).toContain('mkdir -p /etc/netns/blue');
      expect(failed).toMatch(/File exists|Not a directory/);
      expect(await page.evaluate(() => window.__nsdCanvas!.cy.$('.step-failed').map((e) => e.id()))).toEqual(['blue']);
      await d.shot('2-04-failed-step');

      await page.getByTestId('rollback').getByRole('button', { name: 'Destroy' }).click();
      await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toMatch(/^destroy: done/);
      await page.getByTestId('status').click();
      await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toBe('status: the lab is down');
      expect(inLab(...enter, 'ip', 'netns', 'list').stdout.trim()).toBe('');
    } finally {
      inLab(...enter, 'rm', '-f', '/etc/netns/blue');
    }
  });

  it('offers no rollback when preflight refused the deploy: nothing was built', async () => {
    const { page } = d;
    const inLab = (...argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    const enter = enterLab('default', env());
    // A namespace the lab did not make, with a name the lab uses: preflight stops before any change.
    expect(inLab(...enter, 'ip', 'netns', 'add', 'red').status).toBe(0);
    try {
      await page.getByTestId('deploy').click();
      await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 90_000 }).toMatch(/^deploy: failed at step 1\/\d+ \(preflight\)$/);
      expect(await page.getByTestId('failed-step').count()).toBe(1);
      expect(await page.getByText('Roll back with').count()).toBe(0);
      await d.shot('2-05-preflight-refused');
    } finally {
      inLab(...enter, 'ip', 'netns', 'delete', 'red');
    }
  });

  it('stops the lab host from the app', async () => {
    const { page } = d;
    await page.getByTestId('lab-toggle').click();
    await expect.poll(() => page.getByTestId('lab-toggle').textContent(), { timeout: 60_000 }).toBe('Start lab host');
    expect(await page.getByTestId('status-bar').textContent()).toMatch(/^Lab host "default": (absent|down)$/);
    expect(d.errors).toEqual([]);
  });
});
