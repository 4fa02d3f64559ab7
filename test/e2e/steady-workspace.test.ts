/**
 * The steady workspace (issue 12) at 1440x900: Deploy in view without scrolling, panes that keep
 * their width whatever their content (Copy never moves), resizable and collapsible panes whose
 * sizes are remembered, the run view on the whole bottom; Escape closes every dialog and menu;
 * the canvas background's context menu; a node's interfaces with their addresses in its own
 * panel; and empty fields whose hints cannot be mistaken for data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Doc } from '../../src/shared/document/commands.js';
import { clickElement, openDesigner, positionOf, skipWithoutChromium, type Designer } from './designer.js';

const skip = skipWithoutChromium('the steady workspace test (test/e2e/steady-workspace.test.ts)');

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).boundingBox())!;
const docOf = (page: Page) => page.evaluate(() => (window as unknown as { __nsdDoc: () => Doc }).__nsdDoc());

describe.skipIf(skip)('designer: a steady workspace', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=05-port-forward' });
    await d.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await d?.close();
  });

  it('shows Deploy without scrolling, and keeps Copy and Export where they are whatever the panes show', async () => {
    const { page } = d;
    const deploy = await box(page, 'deploy');
    expect(deploy.y + deploy.height).toBeLessThanOrEqual(900);
    const copy = await box(page, 'copy-script');
    const exported = await box(page, 'export-script');
    const problems = await box(page, 'problems');
    // The whole lab.sh (long lines), then a drawing with long problem messages.
    await page.getByTestId('script-tab-lab.sh').click();
    await expect.poll(() => page.getByTestId('script').textContent()).toContain('#!/');
    expect(await box(page, 'copy-script')).toEqual(copy);
    await clickElement(page, 'red');
    await page.getByTestId('prop-dns').fill('1.1.1.1, this is not an address at all and the message says so at length');
    await expect.poll(() => page.getByTestId('problems').textContent()).toMatch(/[1-9] errors/);
    // The lab.sh tab follows the drawing: none while it has errors, back after the undo.
    await expect.poll(() => page.getByTestId('script').textContent()).toContain('Fix the errors');
    expect(await box(page, 'copy-script')).toEqual(copy);
    expect(await box(page, 'export-script')).toEqual(exported);
    expect((await box(page, 'problems')).width).toBe(problems.width);
    await d.shot('12-20-steady-bottom-with-errors');
    await page.getByTestId('undo').click();
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await expect.poll(() => page.getByTestId('script').textContent()).toContain('#!/');
    await page.getByTestId('script-tab-up').click();
    expect(d.errors).toEqual([]);
  });

  it('resizes and collapses the panes, and remembers their sizes after a reload', async () => {
    const { page } = d;
    const side = await box(page, 'pane:side');
    const canvas = await box(page, 'pane:canvas');
    // Drag the separator between the canvas and the properties 150 px to the left.
    const x = side.x - 1;
    const y = side.y + side.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x - 75, y, { steps: 5 });
    await page.mouse.move(x - 150, y, { steps: 5 });
    await page.mouse.up();
    const wider = await box(page, 'pane:side');
    expect(Math.abs(wider.width - (side.width + 150))).toBeLessThan(4);
    // Collapsed with the status bar's button, the canvas takes the room; pressed again, it is back.
    await page.getByTestId('pane-side').click();
    await expect.poll(async () => (await box(page, 'pane:side')).width).toBe(0);
    expect((await box(page, 'pane:canvas')).width).toBeGreaterThan(canvas.width + 100);
    await d.shot('12-21-properties-collapsed');
    await page.getByTestId('pane-side').click();
    await expect.poll(async () => Math.round((await box(page, 'pane:side')).width)).toBe(Math.round(wider.width));
    // The bottom collapses too.
    await page.getByTestId('pane-bottom').click();
    await expect.poll(async () => (await box(page, 'pane:bottom')).height).toBe(0);
    await page.getByTestId('pane-bottom').click();
    await expect.poll(async () => (await box(page, 'pane:bottom')).height).toBeGreaterThan(200);
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForFunction(() => window.__nsdCanvas !== undefined);
    expect(Math.abs((await box(page, 'pane:side')).width - wider.width)).toBeLessThan(2);
    expect(d.errors).toEqual([]);
  });

  it('gives the run view the whole bottom, and the other panes their room back', async () => {
    const { page } = d;
    const bottom = await box(page, 'pane:bottom');
    const run = await box(page, 'pane:run');
    expect(run.width).toBeLessThan(bottom.width / 2);
    await page.getByTestId('run-whole').click();
    await expect.poll(async () => (await box(page, 'pane:run')).width).toBeGreaterThan(bottom.width - 10);
    expect((await box(page, 'pane:script')).width).toBe(0);
    const deploy = await box(page, 'deploy');
    expect(deploy.y + deploy.height).toBeLessThanOrEqual(900);
    await d.shot('12-22-run-view-whole-bottom');
    await page.getByTestId('run-whole').click();
    await expect.poll(async () => Math.round((await box(page, 'pane:run')).width)).toBe(Math.round(run.width));
    expect(d.errors).toEqual([]);
  });

  it('closes every dialog and menu with Escape, wherever the focus is', async () => {
    const { page } = d;
    const closes = async (open: () => Promise<unknown>, testId: string) => {
      await open();
      await page.getByTestId(testId).waitFor();
      // The focus on the page behind the dialog, not in it.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('Escape');
      await page.getByTestId(testId).waitFor({ state: 'detached', timeout: 2000 });
    };
    await closes(() => page.getByTestId('help').click(), 'shortcuts');
    await closes(() => page.getByRole('button', { name: 'Hosts…' }).click(), 'targets-dialog');
    await closes(() => page.keyboard.press('Control+Shift+S'), 'path-prompt');
    const red = await positionOf(page, 'red');
    await closes(() => page.mouse.click(red.x, red.y, { button: 'right' }), 'element-menu');
    const canvas = await box(page, 'pane:canvas');
    await closes(() => page.mouse.click(canvas.x + 30, canvas.y + canvas.height - 30, { button: 'right' }), 'element-menu');
    expect(d.errors).toEqual([]);
  });

  it('adds a node where the canvas background was right-clicked', async () => {
    const { page } = d;
    const canvas = await box(page, 'pane:canvas');
    const at = { x: canvas.x + 60, y: canvas.y + canvas.height - 60 };
    await page.mouse.click(at.x, at.y, { button: 'right' });
    const menu = page.getByTestId('element-menu');
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(expect.arrayContaining(['Add a namespace here', 'Add a bridge here', 'Layout', 'Fit']));
    await d.shot('12-23-canvas-menu');
    const before = (await docOf(page)).nodes!.map((n) => n.id);
    await menu.getByRole('menuitem', { name: 'Add a bridge here' }).click();
    await expect.poll(async () => (await docOf(page)).nodes!.length).toBe(before.length + 1);
    const added = (await docOf(page)).nodes!.find((n) => !before.includes(n.id))!;
    expect(added.kind).toBe('bridge');
    const drawn = await positionOf(page, added.id);
    // Where the pointer was (within the grid's snap).
    expect(Math.hypot(drawn.x - at.x, drawn.y - at.y)).toBeLessThan(30);
    await page.getByTestId('undo').click();
    expect(d.errors).toEqual([]);
  });

  it("lists a node's interfaces with their addresses in its own panel, editable there", async () => {
    const { page } = d;
    await page.keyboard.press('Escape');
    await clickElement(page, 'red');
    const field = page.getByTestId('iface-red-vnet0-addresses');
    expect(await field.inputValue()).toBe('192.168.15.1/24');
    expect(await page.getByTestId('interfaces').textContent()).toContain('veth-red → vnet0');
    await field.fill('192.168.15.11/24');
    await expect.poll(async () => (await docOf(page)).links!.find((l) => l.id === 'red-vnet0')!.a.addresses).toEqual(['192.168.15.11/24']);
    await expect.poll(() => page.evaluate(() => String(window.__nsdCanvas!.cy.$id('red-vnet0').style('source-label')))).toBe('192.168.15.11/24');
    // The host lists its uplink by the name in its uplink field.
    await clickElement(page, 'host');
    expect(await page.getByTestId('iface-host-internet').textContent()).toBe('eth0 → internet');
    await d.shot('12-24-node-interfaces');
    await clickElement(page, 'red');
    await page.getByTestId('iface-red-vnet0-addresses').fill('192.168.15.1/24');
    expect(d.errors).toEqual([]);
  });

  it('shows hints in empty fields that cannot be mistaken for data', async () => {
    const { page } = d;
    const hint = (testId: string) =>
      page.getByTestId(testId).evaluate((input) => ({ text: (input as HTMLInputElement).placeholder, style: getComputedStyle(input, '::placeholder').fontStyle }));
    await clickElement(page, 'vnet0');
    await page.getByTestId('prop-addresses').fill('');
    const bridge = await hint('prop-addresses');
    expect(bridge.text).toMatch(/^none; e\.g\. /);
    expect(bridge.style).toBe('italic');
    await d.shot('12-25-empty-field-hint');
    await page.getByTestId('undo').click();
    // The uplink's end shows no address at all, not one of the drawing's.
    await clickElement(page, 'host-internet');
    const addresses = (await docOf(page)).links!.flatMap((l) => [...(l.a.addresses ?? []), ...(l.b.addresses ?? [])]);
    for (const side of ['a', 'b']) {
      const text = (await hint(`prop-${side}-addresses`)).text;
      expect(text).toMatch(/^none/);
      for (const a of addresses) expect(text).not.toContain(a.split('/')[0]);
    }
    expect(d.errors).toEqual([]);
  });

  it('opens a terminal on a double-click, not on two quick clicks on two nodes', async () => {
    const { page } = d;
    await page.keyboard.press('Escape');
    const red = await positionOf(page, 'red');
    const blue = await positionOf(page, 'blue');
    await page.mouse.click(red.x, red.y);
    await page.mouse.click(blue.x, blue.y);
    await page.waitForTimeout(400);
    expect(await page.getByTestId('terminals').count()).toBe(0);
    await page.mouse.dblclick(blue.x, blue.y);
    await page.getByTestId('terminals').waitFor();
    expect(d.errors).toEqual([]);
  });
});
