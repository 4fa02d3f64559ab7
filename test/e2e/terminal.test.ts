/**
 * Terminals over the running lab: deploy the NAT template to the local sandbox lab host,
 * double-click red for a shell in its namespace, ping blue from it and see the replies; a
 * second tab from blue's context menu; closing the tabs ends their shells on the host.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown } from '../../src/main/lab/lab-host.js';
import { openDesigner, positionOf, skipWithoutLabHost, type Designer } from './designer.js';

const skip = skipWithoutLabHost('the designer terminal test (test/e2e/terminal.test.ts)');

/** Shells our terminals started (the lab host's processes are visible from here). */
function terminalShells(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('bash --norc -i')) found.push(`${pid} ${cmd}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

describe.skipIf(skip)('designer: terminals on the nodes of a deployed lab', () => {
  let d: Designer;
  let base = '';
  const env = (): Record<string, string | undefined> => ({ ...process.env, NSD_LAB_DIR: base });
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'nsd-e2e-lab-'));
    d = await openDesigner({ query: 'template=04-nat', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    if (base) {
      await labDown('default', env()).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('opens a shell in red on double-click, pings blue from it, and ends the shells when their tabs close', async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await page.getByTestId('deploy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 120_000 }).toMatch(/^verify: done/);

    const red = await positionOf(page, 'red');
    await page.mouse.dblclick(red.x, red.y);
    const terminals = page.getByTestId('terminals');
    await terminals.waitFor();
    const screen = page.getByTestId('terminal-screen');
    await expect.poll(() => screen.textContent(), { timeout: 30_000 }).toContain('red:');
    await page.keyboard.type('ping -c 2 -i 0.3 192.168.15.2');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen.textContent(), { timeout: 20_000 }).toContain('2 packets transmitted, 2 received');
    expect(await screen.textContent()).toMatch(/bytes from 192\.168\.15\.2: icmp_seq=1/);
    await d.shot('10-01-terminal-red-ping');

    // The context menu opens another one, in a tab named after blue.
    const blue = await positionOf(page, 'blue');
    await page.mouse.click(blue.x, blue.y, { button: 'right' });
    await page.getByTestId('element-menu').getByRole('menuitem', { name: 'Open terminal' }).click();
    await expect.poll(() => screen.textContent(), { timeout: 30_000 }).toContain('blue:');
    await page.keyboard.type('ip -br addr');
    await page.keyboard.press('Enter');
    await expect.poll(() => screen.textContent()).toMatch(/192\.168\.15\.2\/24/);
    expect(await terminals.getByRole('tab').allTextContents()).toEqual(['red×', 'blue×']);
    await d.shot('10-02-terminal-blue-tab');
    expect(terminalShells()).toHaveLength(2);

    await terminals.getByRole('button', { name: 'Close terminal blue' }).click();
    await terminals.getByRole('button', { name: 'Close terminal red' }).click();
    await expect.poll(() => terminals.count()).toBe(0);
    await expect.poll(() => terminalShells(), { timeout: 10_000 }).toEqual([]);
    expect(d.errors).toEqual([]);

    await page.getByTestId('destroy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toMatch(/^destroy: done/);
  });
});
