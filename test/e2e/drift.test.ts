/**
 * The running lab follows the drawing, in the designer: deploy the NAT template to the sandbox
 * lab host, edit it, see the plan, apply it, probes green; set a link down on the lab host,
 * Verify: the drift is painted and the failed probes name that link; Destroy while the drawing
 * has an error removes the lab by its record.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterLab } from '../../src/main/lab/lab-host.js';
import { clickElement, openDesigner, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer drift test (test/e2e/drift.test.ts)');

describe.skipIf(skip)('designer: plan, apply and drift on the sandbox lab host', () => {
  let d: Designer;
  const lab = new TestLabBase();
  const env = (): Record<string, string | undefined> => lab.env();
  const inLab = (...argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  beforeAll(async () => {
    lab.make('nsd-e2e-drift-');
    d = await openDesigner({ query: 'template=04-nat', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
  });

  it('deploys, shows the plan of an edit and applies it, paints a link set down and names it as the cause, and reads the record with Status and destroys with an error in the drawing', async () => {
    const { page } = d;
    const summary = () => page.getByTestId('run-summary').textContent();
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await page.getByTestId('deploy').click();
    await expect.poll(summary, { timeout: 120_000 }).toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    // A fresh lab is deployed without asking.
    expect(await page.getByTestId('plan').count()).toBe(0);

    // Edit: blue gets another address. Deploy shows the plan first and changes nothing yet.
    await clickElement(page, 'blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.3/24');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await page.getByTestId('deploy').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^plan: done/);
    await page.getByTestId('plan').waitFor({ timeout: 10_000 });
    const plan = (await page.getByTestId('plan-changes').textContent()) ?? '';
    expect(plan).toContain('- addr blue veth-blue 192.168.15.2/24  [blue-vnet0]');
    expect(plan).toContain('+ addr blue veth-blue 192.168.15.3/24  [blue-vnet0]');
    expect(await page.getByTestId('plan').textContent()).toMatch(/1 to add, 1 to remove/);
    const enter = enterLab('default', env());
    expect(inLab(...enter, 'ip', '-n', 'blue', '-o', 'addr', 'show', 'dev', 'veth-blue').stdout).toContain('192.168.15.2/24');
    await d.shot('9-01-plan');
    // Apply is in view without scrolling the run view (it was below its fold).
    const apply = (await page.getByTestId('apply-plan').boundingBox())!;
    const runPane = (await page.getByTestId('run-panel').boundingBox())!;
    expect(apply.y + apply.height).toBeLessThanOrEqual(runPane.y + runPane.height);
    expect(await page.getByTestId('run-panel').evaluate((e) => e.scrollTop)).toBe(0);

    await page.getByTestId('apply-plan').click();
    await expect.poll(summary, { timeout: 120_000 }).toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    expect(await page.getByTestId('changed-list').textContent()).toContain('- addr blue veth-blue 192.168.15.2/24');
    const blue = inLab(...enter, 'ip', '-n', 'blue', '-o', 'addr', 'show', 'dev', 'veth-blue').stdout;
    expect(blue).toContain('192.168.15.3/24');
    expect(blue).not.toContain('192.168.15.2/24');
    await d.shot('9-02-applied');

    // Someone sets red's cable down on the host: Verify fails, inspect paints it and names it.
    expect(inLab(...enter, 'ip', '-n', 'red', 'link', 'set', 'veth-red', 'down').status).toBe(0);
    await page.getByTestId('verify').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^verify: \d+ probes? did not match/);
    await expect.poll(() => page.evaluate(() => window.__nsdCanvas!.cy.$('.drift-down').map((e) => e.id())), { timeout: 30_000 }).toEqual(['red-vnet0']);
    await expect.poll(() => page.getByTestId('matrix').locator('td.fail').first().getAttribute('title'), { timeout: 30_000 }).toMatch(/link red-vnet0 is down \(veth-red in red is set down\)/);
    const log = (await page.getByTestId('run-log').textContent()) ?? '';
    expect(log).toContain('inspect: down       link red-vnet0: veth-red in red is set down');
    expect(log).not.toMatch(/probe [^\n]*red[^\n]*missing NAT/);
    await d.shot('9-03-link-down');

    // An error in the drawing (blue takes red's address): Destroy still removes the lab.
    await clickElement(page, 'blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.1/24');
    await expect.poll(() => page.getByTestId('problems').textContent()).toMatch(/[1-9]\d* errors?/);
    expect(await page.getByTestId('deploy').isDisabled()).toBe(true);
    expect(await page.getByTestId('destroy').isDisabled()).toBe(false);
    // Status reads the lab's record instead: all of it is more than this broken drawing has.
    await page.getByTestId('status').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^inspect: done/);
    await expect.poll(() => page.evaluate(() => window.__nsdCanvas!.cy.$('.drift-extra').map((e) => e.id()).sort()), { timeout: 30_000 }).toEqual(expect.arrayContaining(['blue', 'red', 'red-vnet0']));
    await page.getByTestId('destroy').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^destroy: done/);
    expect(inLab(...enter, 'ip', 'netns', 'list').stdout.trim()).toBe('');
    await d.shot('9-04-destroyed-with-error');
    expect(d.errors).toEqual([]);
  }, 300_000);
});
