/**
 * Terminals over the running lab: deploy the NAT template to the local sandbox lab host,
 * double-click red for a shell in its namespace, ping blue from it and see the replies; a
 * second tab from blue's context menu; closing the tabs ends their shells on the host. A capture
 * on blue's link lists the ping's packets and saves them as a pcap.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesigner, positionOf, skipWithoutLabHost, TestLabBase, type Designer } from './designer.js';
import { processesWith } from '../support/processes.js';

const skip = skipWithoutLabHost('the designer terminal test (test/e2e/terminal.test.ts)');

describe.skipIf(skip)('designer: terminals on the nodes of a deployed lab', () => {
  let d: Designer;
  const lab = new TestLabBase();
  const env = (): Record<string, string | undefined> => lab.env();
  // This lab host's network namespaces, once deployed: a test beside this one may run shells and
  // captures of its own on the machine (the lab host's processes are visible from here).
  let mine: Set<string> = new Set();
  /** Shells our terminals started. */
  const terminalShells = (): string[] => processesWith('bash --norc -i', mine);
  /** Captures running in our lab host. */
  const tcpdumps = (): string[] => processesWith('tcpdump ', mine);
  beforeAll(async () => {
    lab.make();
    d = await openDesigner({ query: 'template=04-nat', env: env() });
  });
  afterAll(async () => {
    await d?.close();
    await lab.remove();
  });

  it('opens a shell in red on double-click, pings blue from it, and ends the shells when their tabs close', async () => {
    const { page } = d;
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await page.getByTestId('deploy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 120_000 }).toMatch(/^verify: done/);
    mine = lab.netnsIds();
    expect(mine.size).toBeGreaterThan(2);

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
  });

  it('captures the packets on blue\'s link from its context menu, lists them, saves a pcap and stops with its tab', async () => {
    const { page } = d;
    const link = await positionOf(page, 'blue-vnet0');
    await page.mouse.click(link.x, link.y, { button: 'right' });
    await page.getByTestId('element-menu').getByRole('menuitem', { name: 'Capture on end a (blue)' }).click();
    const view = page.getByTestId('capture-view');
    await view.waitFor();
    await expect.poll(() => tcpdumps().length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('capture-filter').fill('icmp');
    await page.getByTestId('capture-filter').press('Enter');
    await expect.poll(() => page.getByTestId('terminals').getByRole('tab').allTextContents()).toEqual(['blue-vnet0.a×']);
    // Let the restarted tcpdump listen before the ping.
    await expect.poll(() => tcpdumps().some((p) => p.includes('icmp')), { timeout: 30_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 500));

    // A terminal on red pings blue across the bridge: the capture on blue's cable sees it.
    const red = await positionOf(page, 'red');
    await page.mouse.dblclick(red.x, red.y);
    await expect.poll(() => page.getByTestId('terminal-screen').textContent(), { timeout: 30_000 }).toContain('red:');
    await page.keyboard.type('ping -c 3 -i 0.3 192.168.15.2');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('terminal-screen').textContent(), { timeout: 20_000 }).toContain('3 received');
    await page.getByTestId('terminals').getByRole('tab').filter({ hasText: 'blue-vnet0.a' }).getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('capture-count').textContent()).toBe('6 packets');
    const rows = await page.getByTestId('capture-table').locator('tbody tr').allTextContents();
    expect(rows.filter((r) => r.includes('192.168.15.1192.168.15.2ICMPICMP echo request'))).toHaveLength(3);
    expect(rows.filter((r) => r.includes('192.168.15.2192.168.15.1ICMPICMP echo reply'))).toHaveLength(3);
    await d.shot('10-03-capture-blue-link');

    await page.getByTestId('capture-save').click();
    await page.getByTestId('path-input').fill('ping.pcap');
    await page.getByTestId('path-ok').click();
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toMatch(/^Saved 6 packets to .*ping\.pcap$/);
    const read = execFileSync('tcpdump', ['-r', join(d.workspace, 'ping.pcap'), '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    expect(read.filter((l) => l.includes('ICMP echo request'))).toHaveLength(3);
    expect(read.filter((l) => l.includes('ICMP echo reply'))).toHaveLength(3);

    // Closing the views stops the capture and the shell on the host.
    for (const name of ['Close terminal blue-vnet0.a', 'Close terminal red']) await page.getByTestId('terminals').getByRole('button', { name }).click();
    await expect.poll(() => tcpdumps(), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => terminalShells(), { timeout: 10_000 }).toEqual([]);
    expect(d.errors).toEqual([]);

    await page.getByTestId('destroy').click();
    await expect.poll(() => page.getByTestId('run-summary').textContent(), { timeout: 60_000 }).toMatch(/^destroy: done/);
  });
});
