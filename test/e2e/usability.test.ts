/**
 * The usability check of issue 12: the tutorial's final state (assets/examples/05-port-forward:
 * red and blue on vnet0 with the host's 192.168.15.5, NAT out of eth0, name servers, and port 80
 * forwarded to blue's web server) built from a new drawing in at most 5 drags and 10 clicks,
 * typing addresses only where they differ from what the designer proposes. Every drag and click
 * goes through the counters below; keys (Escape, typing) are not counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { compile } from '../../src/shared/compiler/index.js';
import type { Doc } from '../../src/shared/document/commands.js';
import { loadExample } from '../support/examples.js';
import { openDesigner, positionOf, skipWithoutChromium, type Designer } from './designer.js';

const skip = skipWithoutChromium('the usability check (test/e2e/usability.test.ts)');

const MAX_DRAGS = 5;
const MAX_CLICKS = 10;

/**
 * The lab's network commands, with the names that do not change the network (lab name, rule ids)
 * taken from `like`. The example's web server (a service in blue) is a program the user types, not
 * part of the network the tutorial builds: the services phase is left out.
 */
function commandsOf(doc: Doc, like: Doc): string[] {
  const same: Doc = {
    ...doc,
    name: like.name,
    nat: {
      masquerade: (doc.nat?.masquerade ?? []).map((m, i) => ({ ...m, id: like.nat?.masquerade?.[i]?.id ?? m.id })),
      portForwards: (doc.nat?.portForwards ?? []).map((f, i) => ({ ...f, id: like.nat?.portForwards?.[i]?.id ?? f.id })),
    },
  };
  const compiled = compile(same);
  if (!compiled.ok) throw new Error(`the drawing does not compile: ${compiled.problems.map((p) => p.message).join('; ')}`);
  return compiled.up.filter((s) => s.phase !== 'services').flatMap((s) => [...s.commands, ...(s.after ?? [])].map((c) => c.argv.join(' ')));
}

describe.skipIf(skip)('designer: the usability check', () => {
  let d: Designer;
  beforeAll(async () => {
    d = await openDesigner({ query: 'start=empty' });
    await d.page.setViewportSize({ width: 1440, height: 900 });
  });
  afterAll(async () => {
    await d?.close();
  });

  it(`builds the tutorial's final state from New in at most ${MAX_DRAGS} drags and ${MAX_CLICKS} clicks`, async () => {
    const { page } = d;
    const count = { drags: 0, clicks: 0 };
    const typed: string[] = [];
    const canvas = (await page.getByTestId('pane:canvas').boundingBox())!;
    const drag = async (item: string, x: number, y: number) => {
      count.drags++;
      await page.getByTestId(`palette-${item}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
    };
    const click = async (target: Locator | string) => {
      count.clicks++;
      if (typeof target !== 'string') return target.click();
      const p = await positionOf(page, target);
      await page.mouse.click(p.x, p.y);
    };
    const type = async (text: string) => {
      typed.push(text);
      await page.keyboard.press('Control+a');
      await page.keyboard.type(text);
    };
    expect((await page.evaluate(() => (window as unknown as { __nsdDoc: () => Doc }).__nsdDoc())).nodes ?? []).toEqual([]);

    const mid = canvas.width / 2;
    // The bridge first, with the host's address on it (the tutorial's 192.168.15.5/24): the
    // namespaces linked to it then get .1 and .2 and their default route through it.
    await drag('bridge', mid, 270);
    await click(page.getByTestId('prop-addresses'));
    await type('192.168.15.5/24');
    await drag('namespace', mid - 150, 420);
    await drag('namespace', mid + 150, 420);
    await drag('host', mid, 150);
    await drag('internet', mid, 40);
    // Links by clicks in link mode; the host's link to the Internet brings NAT and name servers.
    await click(page.getByTestId('link-mode'));
    await click('red');
    await click('vnet0');
    await click('blue');
    await click('vnet0');
    await click('host');
    await click('internet');
    await page.keyboard.press('Escape');
    // The port forward: port 80 is proposed; the target is blue's web server, not red.
    await click(page.getByTestId('port-forwards').getByRole('button', { name: '+ add' }));
    await click(page.getByTestId('pf-0-to'));
    await type('192.168.15.2');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('0 errors');
    await d.shot('12-30-usability-tutorial-built');

    const drawn = await page.evaluate(() => (window as unknown as { __nsdDoc: () => Doc }).__nsdDoc());
    const tutorial = loadExample('05-port-forward') as Doc;
    expect(drawn.nodes!.map((n) => n.id).sort()).toEqual(tutorial.nodes!.map((n) => n.id).sort());
    expect(drawn.links!.map((l) => l.id).sort()).toEqual(tutorial.links!.map((l) => l.id).sort());
    expect(commandsOf(drawn, tutorial)).toEqual(commandsOf(tutorial, tutorial));
    expect(typed).toEqual(['192.168.15.5/24', '192.168.15.2']);
    expect(count.drags).toBeLessThanOrEqual(MAX_DRAGS);
    expect(count.clicks).toBeLessThanOrEqual(MAX_CLICKS);
    expect(d.errors).toEqual([]);
  });
});
