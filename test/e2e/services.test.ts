/**
 * Services in the designer, against the sandbox lab host: add a service in a namespace's panel
 * and see it on the node; deploy the port-forward template (its web server is a service); Status
 * says on each node whether its services run, and how one that ended ended.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterLab } from '../../src/main/lab/lab-host.js';
import { clickElement, openDesigner, positionOf, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer services test (test/e2e/services.test.ts)');

describe.skipIf(skip)('designer: services on the sandbox lab host', () => {
  let d: Designer;
  const lab = new TestLabBase();
  const env = (): Record<string, string | undefined> => lab.env();
  beforeAll(async () => {
    lab.make('nsd-e2e-services-');
    d = await openDesigner({ query: 'template=05-port-forward', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
  });

  it('adds a service in the panel, shows it on its node, deploys the template and shows running and exited after Status', async () => {
    const { page } = d;
    const summary = () => page.getByTestId('run-summary').textContent();
    const label = (id: string) => page.evaluate((node) => String(window.__nsdCanvas!.cy.getElementById(node).data('label')), id);
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    expect(await label('blue')).toBe('blue\n⚙ web');
    // The node's context menu opens its services, with the focus in them.
    const blue = await positionOf(page, 'blue');
    await page.mouse.click(blue.x, blue.y, { button: 'right' });
    await page.getByTestId('element-menu').getByRole('menuitem', { name: 'Services…' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="services"]') !== null)).toBe(true);
    expect(await page.getByTestId('properties').locator('h3').textContent()).toContain('blue');

    // A service of red's that fails: added in red's panel, shown on red at once.
    await clickElement(page, 'red');
    await page.getByTestId('services').getByRole('button', { name: '+ add' }).click();
    await page.getByTestId('service-0-id').fill('fail');
    await page.getByTestId('service-0-command').fill('echo starting; echo "no such thing" >&2; exit 3');
    await expect.poll(() => label('red')).toBe('red\n⚙ fail');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    // An empty command is refused where it is typed.
    await page.getByTestId('service-0-command').fill('');
    await expect.poll(() => page.getByTestId('services').textContent()).toContain('is empty');
    await page.getByTestId('service-0-command').fill('echo starting; echo "no such thing" >&2; exit 3');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await d.shot('10-services-01-panel');

    await page.getByTestId('deploy').click();
    await expect.poll(summary, { timeout: 120_000 }).toMatch(/^verify: done in [\d.]+ s, \d+ probes passed, 0 failed$/);
    const enter = enterLab('default', env());
    const listening = spawnSync(enter[0]!, [...enter.slice(1), 'ip', 'netns', 'exec', 'blue', 'ss', '-Hltnp', 'sport = :80'], { encoding: 'utf8' }).stdout;
    expect(listening).toContain('python3');

    await page.getByTestId('status').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^status: the lab is up/);
    // The inspect that follows Status paints what it saw.
    await expect.poll(() => label('blue'), { timeout: 60_000 }).toMatch(/^blue\n⚙ web: running \(pid \d+\)$/);
    await expect.poll(() => label('red'), { timeout: 30_000 }).toBe('red\n⚙ fail: exited 3');
    expect(await page.evaluate(() => window.__nsdCanvas!.cy.$('.service-down').map((e) => e.id()))).toEqual(['red']);
    await d.shot('10-services-02-status');

    await page.getByTestId('destroy').click();
    await expect.poll(summary, { timeout: 60_000 }).toMatch(/^destroy: done/);
    expect(spawnSync(enter[0]!, [...enter.slice(1), 'ip', 'netns', 'list'], { encoding: 'utf8' }).stdout.trim()).toBe('');
    expect(d.errors).toEqual([]);
  }, 300_000);
});
