/**
 * Scenario 4: undo and redo (a drag is one step), save and reopen, export the script, export
 * PNG and SVG. Browser mode has no native dialogs: the app asks for a path in the workspace.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { canvasIds, openDesigner, positionOf, skipWithoutChromium, type Designer } from './designer.js';

const skip = skipWithoutChromium('the designer files test (test/e2e/files.test.ts)');

describe.skipIf(skip)('designer: undo, files and exports', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'template=02-bridge', acceptDialogs: true });
  });
  afterAll(async () => {
    await d?.close();
  });

  const docPosition = (id: string) =>
    d.page.evaluate((nid) => {
      const doc = (window as unknown as { __nsdDoc: () => { nodes: { id: string; position?: { x: number; y: number } }[] } }).__nsdDoc();
      return doc.nodes.find((n) => n.id === nid)?.position;
    }, id);

  /** Answers the app's path prompt. */
  async function answerPath(name: string): Promise<void> {
    await d.page.getByTestId('path-input').fill(name);
    await d.page.getByTestId('path-ok').click();
  }

  it('undoes a drag as one step and redoes it', async () => {
    const { page } = d;
    const before = await docPosition('red');
    const at = await positionOf(page, 'red');
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(at.x + i * 12, at.y + i * 4);
    await page.mouse.up();
    await expect.poll(() => docPosition('red')).not.toEqual(before);
    const moved = await docPosition('red');
    // Snapped to the 25 px grid.
    expect(moved!.x % 25).toBe(0);
    expect(moved!.y % 25).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => docPosition('red')).toEqual(before);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => docPosition('red')).toEqual(moved);

    await page.getByTestId('palette-namespace').click();
    await expect.poll(() => canvasIds(page)).toContain('yellow');
    await page.getByTestId('undo').click();
    await expect.poll(() => canvasIds(page)).not.toContain('yellow');
    await page.getByTestId('redo').click();
    await expect.poll(() => canvasIds(page)).toContain('yellow');
    await page.getByTestId('undo').click();
    await d.shot('4-01-undo-redo');
  });

  it('saves, and reopens what it saved', async () => {
    const { page } = d;
    await page.keyboard.press('Control+s');
    await answerPath('my-lab.json');
    await expect.poll(() => page.getByTestId('doc-state').textContent()).toBe('saved');
    const saved = readFileSync(join(d.workspace, 'my-lab.json'), 'utf8');
    const savedDoc = JSON.parse(saved) as { name: string; nodes: { id: string }[] };
    expect(savedDoc.nodes.map((n) => n.id).sort()).toEqual(['blue', 'green', 'red', 'vnet0']);
    expect(compile(savedDoc).ok).toBe(true);

    await page.getByTestId('palette-bridge').click();
    await expect.poll(() => canvasIds(page)).toContain('vnet1');
    await expect.poll(() => page.getByTestId('doc-state').textContent()).toBe('unsaved changes');
    await page.getByTestId('open').click();
    // The prompt offers the file just saved among the recent ones.
    const recent = page.getByTestId('recent-files').getByRole('button', { name: 'my-lab.json' });
    await recent.click();
    await expect.poll(() => canvasIds(page)).not.toContain('vnet1');
    expect((await canvasIds(page)).filter((id) => !id.includes('-')).sort()).toEqual(['blue', 'green', 'red', 'vnet0']);
    await expect.poll(() => page.getByTestId('doc-state').textContent()).toBe('saved');
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    await d.shot('4-02-reopened');
  });

  it('exports the script that compile() makes, and the drawing as PNG and SVG', async () => {
    const { page } = d;
    await page.getByTestId('export-script').click();
    await answerPath('bridge.sh');
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('Exported');
    const file = join(d.workspace, 'bridge.sh');
    const doc = JSON.parse(readFileSync(join(d.workspace, 'my-lab.json'), 'utf8')) as unknown;
    // The export names the file the drawing was saved as.
    const compiled = compile(doc, { source: 'my-lab.json' });
    if (!compiled.ok) throw new Error('the saved drawing does not compile');
    expect(readFileSync(file, 'utf8')).toBe(compiled.script);
    expect(compiled.script).toContain("readonly NSD_SOURCE=my-lab.json\n");
    expect(statSync(file).mode & 0o111).not.toBe(0);
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);

    await page.getByTestId('export-png').click();
    await answerPath('bridge.png');
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('bridge.png');
    const png = readFileSync(join(d.workspace, 'bridge.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(16)).toBeGreaterThan(100); // width from the IHDR chunk

    await page.getByTestId('export-svg').click();
    await answerPath('bridge.svg');
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('bridge.svg');
    const svg = readFileSync(join(d.workspace, 'bridge.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const id of ['red', 'blue', 'green', 'vnet0']) expect(svg).toContain(`>${id}</text>`);
    await d.shot('4-03-exported');
    expect(d.errors).toEqual([]);
  });
});
