/**
 * The rest of the editing a user does: copy and paste, select all and delete, auto-layout,
 * autosave and recovery after the window went away, and saved SSH hosts whose secrets never
 * reach a file in plain text.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgedLab } from '../../bench/topologies.js';
import { canvasIds, clickElement, drawLink, openDesigner, skipWithoutChromium, type Designer } from './designer.js';
import type { Doc } from '../../src/shared/document/commands.js';
import { FIRST_RING } from '../../src/shared/document/layout.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../assets/examples/', import.meta.url));
const skip = skipWithoutChromium('the designer editing test (test/e2e/editing.test.ts)');

describe.skipIf(skip)('designer: editing', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=02-bridge', acceptDialogs: true });
  });
  afterAll(async () => {
    await d?.close();
  });

  const nodeIds = async () => (await canvasIds(d.page)).filter((id) => !id.includes('-')).sort();

  it('copies and pastes a namespace with its link as new, valid elements', async () => {
    const { page } = d;
    // Ctrl+C lands the moment the panel shows both elements, before React's after-paint effects
    // run: the copy must still take what the user sees selected (it once took the old selection).
    const copied = page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const watch = new MutationObserver(() => {
            if (document.querySelector('[data-testid="properties"] h3')?.textContent !== '2 elements selected') return;
            watch.disconnect();
            document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'c', ctrlKey: true, bubbles: true }));
            resolve();
          });
          watch.observe(document.body, { subtree: true, childList: true, characterData: true });
        }),
    );
    await clickElement(page, 'red');
    await clickElement(page, 'red-vnet0', 'Shift');
    await copied;
    await page.keyboard.press('Control+v');
    // The pasted namespace gets the next tutorial name; the pasted bridge copy stands apart.
    await expect.poll(nodeIds).toEqual(['blue', 'green', 'red', 'vnet0', 'vnet1', 'yellow']);
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await d.shot('5-01-pasted');
  });

  it('selects all, deletes, and undoes it in one step', async () => {
    const { page } = d;
    const before = await nodeIds();
    await page.locator('.cy').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasIds(page)).toEqual([]);
    await page.keyboard.press('Control+z');
    await expect.poll(nodeIds).toEqual(before);
  });

  it('adds a note, edits its text, and links nothing to it', async () => {
    const { page } = d;
    await page.getByTestId('palette-note').click();
    await page.getByTestId('note-text').fill('red and blue share vnet0');
    await expect.poll(() => page.evaluate(() => window.__nsdCanvas!.cy.getElementById('note1').data('label'))).toBe('red and blue share vnet0');
    const links = async () => (await canvasIds(page)).filter((id) => id.includes('-')).length;
    const before = await links();
    await page.getByTestId('link-mode').click();
    await drawLink(page, 'note1', 'red');
    await page.keyboard.press('Escape');
    expect(await links()).toBe(before);
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await d.shot('5-04-note');
  });

  it('lists the keyboard shortcuts on ?', async () => {
    const { page } = d;
    await page.locator('.cy').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcuts');
    await help.waitFor();
    expect(await help.textContent()).toContain('auto-layout');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
  });

  it('lays the drawing out on the grid, each namespace in a ring around its bridge', async () => {
    const { page } = d;
    await page.getByTestId('layout').click();
    const doc = await page.evaluate(() => (window as unknown as { __nsdDoc: () => Doc }).__nsdDoc());
    const at = new Map((doc.nodes ?? []).map((n) => [n.id, n.position!]));
    for (const p of at.values()) expect([Math.abs(p.x % 25), Math.abs(p.y % 25)]).toEqual([0, 0]);
    const members = (doc.links ?? []).filter((l) => l.b.node === 'vnet0').map((l) => l.a.node);
    expect(members.length).toBeGreaterThanOrEqual(3);
    const bridge = at.get('vnet0')!;
    for (const m of members) {
      const p = at.get(m)!;
      // The first ring, give or take the snap to the grid.
      expect(Math.abs(Math.hypot(p.x - bridge.x, p.y - bridge.y) - FIRST_RING)).toBeLessThanOrEqual(25);
    }
    await d.shot('5-02-layout');
  });

  it('recovers the unsaved drawing after the window is reloaded', async () => {
    const { page } = d;
    await page.getByTestId('palette-namespace').click();
    const drawn = await nodeIds();
    // Autosave runs a second after the last change; wait until it has written the drawing.
    const recovery = join(d.workspace, '.nsd-designer', 'recovery.json');
    const saved = (): string[] => {
      if (!existsSync(recovery)) return [];
      const doc = JSON.parse((JSON.parse(readFileSync(recovery, 'utf8')) as { text: string }).text) as { nodes: { id: string }[]; notes?: { id: string }[] };
      return [...doc.nodes, ...(doc.notes ?? [])].map((n) => n.id).sort();
    };
    await expect.poll(saved, { timeout: 10_000 }).toEqual(drawn);
    // The unsaved-changes guard asks on reload; acceptDialogs says yes.
    await page.goto(`${d.server.url}/?template=01-veth-pair#token=${d.server.token}`);
    await page.getByTestId('recovery').waitFor();
    await d.shot('5-03-recovery');
    await page.getByTestId('recovery').getByRole('button', { name: 'Restore it' }).click();
    await expect.poll(nodeIds).toEqual(drawn);
    await expect.poll(() => page.getByTestId('doc-state').textContent()).toBe('unsaved changes');
  });

  it('opens a template from the list, asking first when the drawing has unsaved changes', async () => {
    const { page } = d;
    expect(await page.getByTestId('doc-state').textContent()).toBe('unsaved changes');
    const asked: string[] = [];
    page.once('dialog', (dialog) => asked.push(dialog.message()));
    await page.getByTestId('templates').selectOption('04-nat');
    const template = JSON.parse(readFileSync(join(EXAMPLES_DIR, '04-nat.json'), 'utf8')) as { nodes: { id: string }[] };
    await expect.poll(nodeIds).toEqual(template.nodes.map((n) => n.id).sort());
    expect(asked).toEqual(['The drawing has unsaved changes. Discard them?']);
    // A fresh drawing: nothing to undo, nothing unsaved.
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    expect(await page.getByTestId('doc-state').textContent()).toBe('');
  });

  it('saves an SSH host with its secret kept out of any file', async () => {
    const { page } = d;
    await page.getByRole('button', { name: 'Hosts…' }).click();
    await page.getByTestId('target-label').fill('lab vm');
    await page.getByTestId('target-host').fill('alice@lab-vm:2222');
    await page.getByTestId('targets-dialog').locator('input[type="password"]').first().fill('s3cret-pw');
    await page.getByTestId('target-save').click();
    await expect.poll(() => page.getByTestId('targets-dialog').locator('.target-list li').count()).toBe(1);
    await page.getByTestId('targets-dialog').getByRole('button', { name: 'Close' }).click();
    expect(await page.getByTestId('target').locator('option').allTextContents()).toContain('lab vm (alice@lab-vm:2222)');
    const stored = readFileSync(join(d.workspace, '.nsd-designer', 'targets.json'), 'utf8');
    expect(stored).toContain('alice@lab-vm:2222');
    expect(stored).not.toContain('s3cret-pw');
    expect(d.errors).toEqual([]);
  });
});

describe.skipIf(skip)('designer: the live script of a large drawing', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'start=empty' });
    writeFileSync(join(d.workspace, 'big.json'), JSON.stringify(bridgedLab(300)));
    await d.page.goto(`${d.server.url}/?open=big.json#token=${d.server.token}`);
    await d.page.waitForFunction(() => (window.__nsdCanvas?.ids().length ?? 0) > 300);
  });
  afterAll(async () => {
    await d?.close();
  });

  it("shows the newest drawing's script after a burst of edits, and no older one after it", async () => {
    const { page } = d;
    await page.evaluate(() => {
      window.__nsdCanvas!.cy.$id('ns0').select();
    });
    await page.getByTestId('prop-dns').waitFor();
    await expect.poll(() => page.getByTestId('script').getAttribute('data-lines')).not.toBeNull();
    // Eight DNS servers typed 15 ms apart, faster than 300 namespaces compile: the worker is busy
    // with the first while the others come. Which of them the script shows, from the last edit on.
    const shownAfterLast = await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const input = document.querySelector<HTMLInputElement>('[data-testid="prop-dns"]')!;
          const script = document.querySelector('[data-testid="script"]')!;
          const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
          const values = Array.from({ length: 8 }, (_, i) => `9.9.9.${i + 1}`);
          const last = values.at(-1)!;
          const shown: string[] = [];
          let typedAll = false;
          const observer = new MutationObserver(() => {
            if (!typedAll) return;
            const text = script.textContent ?? '';
            const value = values.find((v) => text.includes(` ${v} >`));
            if (value && shown.at(-1) !== value) shown.push(value);
            if (value === last)
              setTimeout(() => {
                observer.disconnect();
                resolve(shown);
              }, 500);
          });
          observer.observe(script, { subtree: true, childList: true, characterData: true });
          values.forEach((value, i) =>
            setTimeout(() => {
              setter.call(input, value);
              input.dispatchEvent(new Event('input', { bubbles: true }));
              typedAll = i === values.length - 1;
            }, i * 15),
          );
        }),
    );
    expect(shownAfterLast).toEqual(['9.9.9.8']);
    expect(d.errors).toEqual([]);
  });

  it('sends an edit to the preview worker before the page has drawn it', async () => {
    const { page } = d;
    // Each drawing posted to the worker, with where the canvas draws ns0 at that moment.
    await page.evaluate(() => {
      const w = window as unknown as { __posts: { posted: unknown; drawn: unknown }[] };
      w.__posts = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
        const doc = (message as { doc?: Doc }).doc;
        const ns0 = doc?.nodes?.find((n) => n.id === 'ns0');
        if (ns0) w.__posts.push({ posted: ns0.position, drawn: { ...window.__nsdCanvas!.cy.$id('ns0').position() } });
        return (post as (...args: unknown[]) => void).call(this, message, ...rest);
      } as typeof Worker.prototype.postMessage;
    });
    const before = await page.evaluate(() => ({ ...window.__nsdCanvas!.cy.$id('ns0').position() }));
    await page.getByTestId('layout').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __posts: unknown[] }).__posts.length)).toBeGreaterThan(0);
    const [first] = await page.evaluate(() => (window as unknown as { __posts: { posted: { x: number; y: number }; drawn: { x: number; y: number } }[] }).__posts);
    // Layout moved ns0; the worker had the new drawing while the canvas still drew the old one.
    expect(first!.posted).not.toEqual(before);
    expect(first!.drawn).toEqual(before);
    await expect.poll(() => page.evaluate(() => ({ ...window.__nsdCanvas!.cy.$id('ns0').position() }))).toEqual(first!.posted);
    expect(d.errors).toEqual([]);
  });
});
