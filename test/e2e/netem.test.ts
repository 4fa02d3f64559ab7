/**
 * Link impairments in the designer: a delay and a loss set in the link's panel show as a badge
 * on the cable and as tc lines in lab.sh; a figure out of range is named under its field. Deploy
 * with netem cannot work on this machine's kernel (it has no sch_netem; test/lab/netem.test.ts
 * runs netem for real in User-Mode Linux), so the deploy part checks that the preflight names
 * the missing netem and its fix, and that nothing was built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickElement, openDesigner, positionOf, scriptText, skipWithoutChromium, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';

/** Selects a link and waits for its panel: a field filled before the panel switched would be lost with it. */
async function selectLink(d: Designer, id: string): Promise<void> {
  await clickElement(d.page, id);
  await expect.poll(() => d.page.getByTestId('properties').locator('h3').textContent()).toBe(`Link ${id}`);
}

const badgeOf = (d: Designer, id: string) => d.page.evaluate((edge) => window.__nsdCanvas!.cy.getElementById(edge).data('badge') as string, id);

describe.skipIf(skipWithoutChromium('the designer netem test (test/e2e/netem.test.ts)'))('designer: link impairments', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=02-bridge' });
  });
  afterAll(async () => {
    await d?.close();
  });

  it("sets a delay and a loss in the link's panel, shows them as a badge on the cable and as tc in lab.sh", async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await selectLink(d, 'red-vnet0');
    await page.getByTestId('prop-netem-delayMs').fill('50');
    await page.getByTestId('prop-netem-lossPercent').fill('1');
    await expect.poll(() => badgeOf(d, 'red-vnet0')).toBe('50 ms, 1 %');
    expect(await page.evaluate(() => window.__nsdCanvas!.cy.getElementById('red-vnet0').hasClass('impaired'))).toBe(true);
    expect(await badgeOf(d, 'blue-vnet0')).toBe('');
    await expect.poll(() => scriptText(page)).toContain('tc -n red qdisc replace dev veth-red root netem delay 50ms loss 1%');
    expect(await scriptText(page)).toContain('tc qdisc replace dev veth-red-br root netem delay 50ms loss 1%');
    await d.shot('10-01-netem-badge');

    // An end of its own (asymmetric): what blue sends is slower.
    await selectLink(d, 'blue-vnet0');
    await page.getByTestId('prop-a-netem-fold').locator('summary').click();
    await page.getByTestId('prop-a-netem-rateMbit').fill('10');
    await expect.poll(() => badgeOf(d, 'blue-vnet0')).toBe('→ 10 Mbit/s');
    await d.shot('10-02-netem-asymmetric');
  });

  it("opens a link's impairments from its context menu, with the focus in the delay", async () => {
    const { page } = d;
    const at = await positionOf(page, 'blue-vnet0');
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await page.getByTestId('element-menu').getByRole('menuitem', { name: 'Impairments (delay, loss, rate)…' }).click();
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link blue-vnet0');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('prop-netem-delayMs');
    await d.shot('10-05-netem-menu');
    await page.keyboard.press('Escape');
  });

  it('names a figure out of range under its field, and clearing the figures removes the badge', async () => {
    const { page } = d;
    await selectLink(d, 'red-vnet0');
    await page.getByTestId('prop-netem-lossPercent').fill('101');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('1 error');
    expect(await page.getByTestId('problems').textContent()).toContain('lossPercent 101 is too large');
    await expect.poll(() => page.getByTestId('properties').textContent()).toContain('lossPercent 101 is too large; the largest allowed is 100');
    await d.shot('10-03-netem-invalid');
    await page.getByTestId('prop-netem-lossPercent').fill('');
    await page.getByTestId('prop-netem-delayMs').fill('');
    await expect.poll(() => badgeOf(d, 'red-vnet0')).toBe('');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
  });
});

describe.skipIf(skipWithoutLabHost('the designer netem deploy test (test/e2e/netem.test.ts)'))('designer: deploy with netem on a kernel without it', () => {
  let d: Designer;
  const lab = new TestLabBase();
  beforeAll(async () => {
    lab.make();
    d = await openDesigner({ query: 'template=02-bridge', env: lab.env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
  });

  it('says before anything is built that the kernel has no netem, and how to get it', async () => {
    const { page } = d;
    await selectLink(d, 'red-vnet0');
    await page.getByTestId('prop-netem-delayMs').fill('50');
    await expect.poll(() => badgeOf(d, 'red-vnet0')).toBe('50 ms');
    await page.getByTestId('deploy').click();
    await expect.poll(() => page.getByTestId('run-log').textContent(), { timeout: 120_000 }).toContain('has no netem qdisc (sch_netem)');
    const log = (await page.getByTestId('run-log').textContent()) ?? '';
    expect(log).toContain('modprobe sch_netem');
    expect(log).toContain('Nothing was changed.');
    expect(log).not.toMatch(/namespaces +namespace red/);
    await d.shot('10-04-netem-preflight');
  });
});
