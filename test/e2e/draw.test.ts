/**
 * Scenario 1: from an empty canvas, drag two namespaces and a bridge from the palette, connect
 * them, set the addresses in the properties panel, and read the tutorial's commands in the live
 * script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickElement, canvasIds, drawLink, dropFromPalette, openDesigner, scriptText, skipWithoutChromium, type Designer } from './designer.js';

const skip = skipWithoutChromium('the designer drawing test (test/e2e/draw.test.ts)');

describe.skipIf(skip)('designer: drawing the tutorial bridge', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'start=empty' });
  });
  afterAll(async () => {
    await d?.close();
  });

  it('builds red, blue and vnet0 from the palette and shows the tutorial commands live', async () => {
    const { page } = d;
    expect(await canvasIds(page)).toEqual([]);
    await d.shot('1-01-empty');

    await dropFromPalette(page, 'namespace', { x: 250, y: 380 });
    await dropFromPalette(page, 'namespace', { x: 650, y: 380 });
    await dropFromPalette(page, 'bridge', { x: 450, y: 150 });
    expect((await canvasIds(page)).sort()).toEqual(['blue', 'red', 'vnet0']);
    await d.shot('1-02-dropped');

    // The bridge gets the host's address first: the tutorial's 192.168.15.5/24.
    await clickElement(page, 'vnet0');
    await page.getByTestId('prop-addresses').fill('192.168.15.5/24');

    await page.getByTestId('link-mode').click();
    await drawLink(page, 'red', 'vnet0');
    await drawLink(page, 'blue', 'vnet0');
    await page.keyboard.press('Escape');
    const links = (await canvasIds(page)).filter((id) => !['red', 'blue', 'vnet0'].includes(id));
    expect(links).toHaveLength(2);
    await d.shot('1-03-linked');

    // Set the namespaces' addresses on the links' properties, as the tutorial does.
    for (const [ns, address] of [
      ['red', '192.168.15.1/24'],
      ['blue', '192.168.15.2/24'],
    ] as const) {
      const link = links.find((l) => l.startsWith(ns))!;
      await clickElement(page, link);
      await expect.poll(() => page.getByTestId('properties').locator('h3').textContent()).toBe(`Link ${link}`);
      const side = (await page.getByTestId('properties').textContent())!.includes(`end a: ${ns}`) ? 'a' : 'b';
      // Clear the proposed address, see it leave the script, then type the tutorial's.
      await page.getByTestId(`prop-${side}-addresses`).fill('');
      await expect.poll(() => scriptText(page)).not.toContain(`addr replace ${address}`);
      await page.getByTestId(`prop-${side}-addresses`).fill(address);
      await expect.poll(() => scriptText(page)).toContain(`addr replace ${address}`);
      await expect.poll(() => page.getByTestId('prop-' + side + '-addresses').inputValue()).toBe(address);
    }
    await page.getByTestId('script-tab-up').click();
    await d.shot('1-04-addresses');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    const script = await scriptText(page);
    for (const line of [
      'ip netns add red',
      'ip netns add blue',
      'ip link add vnet0 type bridge',
      // Each veth is made with its end already in its namespace (the tutorial's add, then set netns).
      'ip link add veth-red netns red type veth peer name veth-red-br',
      'ip link set veth-red-br master vnet0',
      'ip link add veth-blue netns blue type veth peer name veth-blue-br',
      'ip link set veth-blue-br master vnet0',
      'ip addr replace 192.168.15.5/24 dev vnet0',
      'ip -n red addr replace 192.168.15.1/24 dev veth-red',
      'ip -n blue addr replace 192.168.15.2/24 dev veth-blue',
      'ip link set vnet0 up',
    ]) {
      expect(script, line).toContain(line);
    }
    await d.shot('1-05-script');
    expect(d.errors).toEqual([]);
  });
});
