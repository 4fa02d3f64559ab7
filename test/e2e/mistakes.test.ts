/**
 * Scenario 3: a duplicate address made on purpose shows in the problems list and on the canvas,
 * and deploy is refused (by the UI and by main) until it is fixed. Then the other mistakes and
 * their recoveries (issue 12): a delete that says what went with it (Undo), a self-link and a
 * refused link that say why where the user looks, an octet out of range, a warning with a fix
 * button, the autosave that goes once the drawing is back to what is saved, a port forward's
 * proposed ports, a shortened interface name that says so, and the plain commands export.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickElement, openDesigner, positionOf, skipWithoutChromium, type Designer } from './designer.js';
import { compile } from '../../src/shared/compiler/index.js';
import { renderPlain } from '../../src/shared/compiler/render-plain.js';
import { UNSAVED_DRAWING } from '../../src/shared/ipc/contract.js';

const skip = skipWithoutChromium('the designer mistakes test (test/e2e/mistakes.test.ts)');

describe.skipIf(skip)('designer: a duplicate address', () => {
  let d: Designer;
  beforeAll(async () => {
    // An empty lab directory: no lab host is up, so an accepted run:start cannot deploy anywhere.
    d = await openDesigner({ query: 'template=02-bridge', env: { ...process.env, NSD_LAB_DIR: mkdtempSync(join(tmpdir(), 'nsd-e2e-nolab-')) } });
  });
  afterAll(async () => {
    await d?.close();
  });

  /** run:start straight to main, as a window that ignored the UI's refusal would send it. */
  const startRunDirectly = (): Promise<{ ok: boolean; message?: string }> =>
    d.page.evaluate(
      async ([token]) => {
        const doc = (window as unknown as { __nsdDoc?: () => unknown }).__nsdDoc?.();
        const res = await fetch('/api/invoke/run:start', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-nsd-client': 'e2e-direct-client', 'content-type': 'application/json' },
          body: JSON.stringify({ doc, target: { kind: 'lab', name: 'default' }, action: 'up' }),
        });
        const body = (await res.json()) as { ok: boolean; value?: { ok: boolean; message?: string }; error?: string };
        return body.value ?? { ok: false, message: body.error };
      },
      [d.server.token],
    );

  it('marks the link, lists the problem, blocks deploy, and lets go once fixed', async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await clickElement(page, 'blue-vnet0');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.1/24');

    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('1 errors');
    const problem = page.getByTestId('problem').first();
    expect(await problem.textContent()).toMatch(/address 192\.168\.15\.1\/24 is already used by veth-red/);
    expect(await page.getByTestId('prop-a-addresses').getAttribute('aria-invalid')).toBe('true');
    const invalid = await page.evaluate(() => window.__nsdCanvas!.cy.$('.invalid').map((e) => e.id()));
    expect(invalid).toContain('blue-vnet0');
    expect(await page.getByTestId('deploy').isDisabled()).toBe(true);
    expect(await page.getByTestId('run-blocked').textContent()).toContain('1 error');
    const refused = await startRunDirectly();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/1 error/);
    await d.shot('3-01-duplicate-address');

    // A click on the problem selects its element.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Lab');
    await problem.click();
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toMatch(/^Link (blue|red)-vnet0$/);

    await clickElement(page, 'blue-vnet0');
    await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe('Link blue-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.2/24');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    expect(await page.evaluate(() => window.__nsdCanvas!.cy.$('.invalid').length)).toBe(0);
    expect(await page.getByTestId('run-blocked').count()).toBe(0);
    const accepted = await startRunDirectly();
    // Main now accepts the drawing; it refuses only because no lab host is running here.
    expect(accepted.ok).toBe(false);
    expect(accepted.message).toMatch(/lab host "default" is not up/);
    await d.shot('3-02-fixed');
    expect(d.errors).toEqual([]);
  });
});

describe.skipIf(skip)('designer: mistakes and recoveries', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=05-port-forward', acceptDialogs: true });
  });
  afterAll(async () => {
    await d?.close();
  });

  const docOf = (): Promise<{ nodes: { id: string; dns?: string[] }[]; links: { id: string; a: { ifname?: string } }[]; nat?: { portForwards?: unknown[] } }> =>
    d.page.evaluate(() => (window as unknown as { __nsdDoc: () => never }).__nsdDoc());
  const toast = () => d.page.getByTestId('toast');
  /** Clicks an element until its properties show (the first clicks may land before the view settles). */
  const select = async (id: string): Promise<void> => {
    await expect
      .poll(async () => {
        await clickElement(d.page, id);
        return d.page.getByTestId('properties').locator('h3').first().textContent();
      })
      .toContain(id);
  };

  /** A request straight to the designer's services, as the page itself sends them. */
  const invoke = (channel: string, payload: unknown): Promise<unknown> =>
    d.page.evaluate(
      async ([token, ch, body]) => {
        const res = await fetch(`/api/invoke/${ch}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-nsd-client': 'e2e-direct-client', 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return ((await res.json()) as { value?: unknown }).value ?? null;
      },
      [d.server.token, channel, payload] as const,
    );

  it('says what went with a deleted bridge, and Undo brings it all back', async () => {
    const { page } = d;
    const before = await docOf();
    await select('vnet0');
    await page.keyboard.press('Delete');
    await expect.poll(() => toast().textContent({ timeout: 1_000 }).catch(() => null)).toContain('Deleted vnet0');
    const text = (await page.getByTestId('toast-text').textContent()) ?? '';
    expect(text).toContain('2 links (red-vnet0, blue-vnet0)');
    expect(text).toContain('masquerade rule 192.168.15.0/24');
    expect(text).toContain('port forward tcp 80 -> 192.168.15.2:80');
    expect(text).toContain('red: default via 192.168.15.5');
    await d.shot('12-01-delete-toast');
    await page.getByTestId('toast-undo').click();
    await expect.poll(() => docOf()).toEqual(before);
    expect(await toast().count()).toBe(0);
  });

  it('says why a node cannot link to itself, and why a namespace cannot link to the Internet, over the canvas; the toast goes away', async () => {
    const { page } = d;
    await page.getByTestId('link-mode').click();
    const red = await positionOf(page, 'red');
    await page.mouse.click(red.x, red.y);
    await page.mouse.click(red.x, red.y);
    await expect.poll(() => toast().textContent({ timeout: 1_000 }).catch(() => null)).toContain('red cannot be connected to itself');
    expect(await toast().getAttribute('class')).toContain('error');
    // Two clicks on one node in link mode are a self-link, not a double-click that opens a terminal.
    expect(await page.getByTestId('terminals').count()).toBe(0);
    await d.shot('12-02-self-link');
    await page.getByTestId('toast-close').click();
    expect(await toast().count()).toBe(0);

    const internet = await positionOf(page, 'internet');
    await page.mouse.click(red.x, red.y);
    await page.mouse.click(internet.x, internet.y);
    await expect.poll(() => toast().textContent({ timeout: 1_000 }).catch(() => null)).toContain('can only be linked to the Host node');
    await d.shot('12-03-refused-link');
    // It goes away by itself.
    await expect.poll(() => toast().count(), { timeout: 10_000 }).toBe(0);
    await page.getByTestId('link-mode').click();
  });

  it('names the octet that is out of range', async () => {
    const { page } = d;
    await select('red-vnet0');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.256/24');
    await expect.poll(() => page.getByTestId('properties').locator('.field-problem').first().textContent()).toContain('octet 256, which is out of range');
    await d.shot('12-04-octet');
    await page.getByTestId('prop-a-addresses').fill('192.168.15.1/24');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
  });

  it('offers the missing DNS as a button that fixes it', async () => {
    const { page } = d;
    await select('blue');
    await page.getByTestId('prop-dns').fill('');
    const fix = page.getByTestId('problem-fix');
    await expect.poll(() => fix.count()).toBe(1);
    expect(await fix.textContent()).toBe('add 1.1.1.1');
    await d.shot('12-05-dns-fix');
    await fix.click();
    await expect.poll(async () => (await docOf()).nodes.find((n) => n.id === 'blue')?.dns).toEqual(['1.1.1.1']);
    // The problems list follows the edit after validation has run again.
    await expect.poll(() => fix.count()).toBe(0);
  });

  it('drops the autosave once undo is back at the saved drawing', async () => {
    const { page } = d;
    // Back to the template as loaded: nothing unsaved.
    while (!(await page.getByTestId('undo').isDisabled())) await page.getByTestId('undo').click();
    await expect.poll(() => page.getByTestId('doc-state').textContent()).not.toBe('unsaved changes');
    await select('red');
    await page.getByTestId('prop-notes').fill('a change');
    // Autosave writes a second after the change.
    await expect.poll(async () => (await invoke('file:recovery', {})) !== null, { timeout: 10_000 }).toBe(true);
    await page.getByTestId('undo').click();
    await expect.poll(() => invoke('file:recovery', {}), { timeout: 10_000 }).toBeNull();
  });

  it('proposes the target\'s port on the host for a new port forward', async () => {
    const { page } = d;
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('properties').locator('h3').first().textContent()).toBe('Lab');
    await page.getByTestId('port-forwards').getByRole('button', { name: '+ add' }).click();
    // 80 is taken by the template's forward to blue: the next one aims at red, from 8080.
    await expect.poll(() => page.getByTestId('pf-1-hostPort').inputValue()).toBe('8080');
    expect(await page.getByTestId('pf-1-to').inputValue()).toBe('192.168.15.1');
    await page.getByTestId('port-forwards').locator('button.remove').first().click();
    await page.getByTestId('port-forwards').locator('button.remove').first().click();
    await page.getByTestId('port-forwards').getByRole('button', { name: '+ add' }).click();
    await expect.poll(() => page.getByTestId('pf-0-hostPort').inputValue()).toBe('80');
    await d.shot('12-06-port-forward');
  });

  it('keeps a long namespace id readable in its interface name, and says it was shortened', async () => {
    const { page } = d;
    await select('red');
    const id = page.getByTestId('prop-id');
    await id.fill('redredredredredredre');
    await id.press('Enter');
    await expect.poll(async () => (await docOf()).links.map((l) => l.id)).toContain('redredredredredredre-vnet0');
    await select('redredredredredredre-vnet0');
    // The template's links leave interface names to the compiler: the field says what it makes.
    expect(await page.getByTestId('prop-a-ifname-note').textContent()).toBe('generated: veth-redredredr, shortened from veth-redredredredredredre: Linux allows 15 characters');
    expect(await page.getByTestId('prop-b-ifname-note').textContent()).toBe('generated: veth-redredr-br, shortened from veth-redredredredredredre-br: Linux allows 15 characters');
    await page.getByTestId('prop-a-ifname').fill('veth-redredredr');
    await expect.poll(() => page.getByTestId('prop-a-ifname-note').textContent()).toBe('shortened from veth-redredredredredredre: Linux allows 15 characters');
    await d.shot('12-07-shortened-ifname');
  });

  it('exports the plain commands that renderPlain makes', async () => {
    const { page } = d;
    await page.getByTestId('export-plain').click();
    await page.getByTestId('path-input').fill('plain.sh');
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('plain commands');
    // Never saved: the export says so where it names its drawing.
    const compiled = compile(await docOf(), { source: UNSAVED_DRAWING });
    if (!compiled.ok) throw new Error('the drawing does not compile');
    expect(readFileSync(join(d.workspace, 'plain.sh'), 'utf8')).toBe(renderPlain(compiled.plan, { up: compiled.up, down: compiled.down, source: UNSAVED_DRAWING }));
    await d.shot('12-08-exported-plain');
    expect(d.errors).toEqual([]);
  });
});
