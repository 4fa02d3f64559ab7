/**
 * `npm run bench` (designer part): the designer in Debian's Chromium with 500- and
 * 1,000-namespace drawings: time to load and first render it (canvas drawn, script shown), the
 * time from an edit in the properties panel to the updated script preview (goal: under 100 ms),
 * and from a click on Layout to the laid-out drawing painted. A 10-namespace drawing, measured
 * in the same run, is the baseline for the ratios.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { startBrowserDesigner } from '../src/main/web/launch.js';
import { bridgedLab } from './topologies.js';

const CHROMIUM = process.env.NSD_CHROMIUM ?? '/usr/bin/chromium';
const SIZES = (process.env.NSD_BENCH_SIZES ?? '10,500,1000').split(',').map(Number);
const EDITS = 7;
const GOAL_EDIT_MS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Navigates to the drawing and returns ms from navigation start until canvas and script are drawn. */
async function loadTime(page: Page, url: string, nodes: number): Promise<number> {
  await page.goto(url);
  return page.evaluate(
    (count) =>
      new Promise<number>((resolve) => {
        const check = (): void => {
          const drawn = (window.__nsdCanvas?.ids().length ?? 0) >= count;
          const script = document.querySelector('[data-testid="script"]')?.textContent ?? '';
          if (drawn && script.includes('ip netns add')) {
            // The next frame is the first one painted with both.
            requestAnimationFrame(() => resolve(performance.now()));
          } else requestAnimationFrame(check);
        };
        check();
      }),
    nodes,
  );
}

/** Types a new DNS server into the selected namespace and times until the script shows it. */
async function editTime(page: Page, round: number): Promise<number> {
  return page.evaluate(
    (n) =>
      new Promise<number>((resolve) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="prop-dns"]')!;
        const pre = document.querySelector('[data-testid="script"]')!;
        const value = `9.9.9.${n}`;
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
        const start = performance.now();
        const observer = new MutationObserver(() => {
          if (pre.textContent?.includes(value)) {
            observer.disconnect();
            // Count until the frame that shows it has been painted.
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
          }
        });
        observer.observe(pre, { childList: true, characterData: true, subtree: true });
        setter.call(input, value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }),
    round,
  );
}

/** Clicks Layout and times until the canvas has moved the first namespace and painted it. */
async function layoutTime(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const cy = window.__nsdCanvas!.cy;
        const first = cy.nodes('[kind = "namespace"]').first();
        const before = { ...first.position() };
        const start = performance.now();
        const check = (): void => {
          const p = first.position();
          if (p.x !== before.x || p.y !== before.y) requestAnimationFrame(() => resolve(performance.now() - start));
          else requestAnimationFrame(check);
        };
        document.querySelector<HTMLButtonElement>('[data-testid="layout"]')!.click();
        check();
      }),
  );
}

/** Runs the designer bench and prints its table. */
export async function designerBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`designer bench SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  await build({ configFile: 'vite.renderer.config.ts', logLevel: 'error' });
  const workspace = mkdtempSync(join(tmpdir(), 'nsd-bench-designer-'));
  const server = await startBrowserDesigner({ workspace });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const rows: { namespaces: number; loadMs: number; editMs: number; layoutMs: number; heapMb: number }[] = [];
    for (const count of SIZES) {
      writeFileSync(join(workspace, `lab-${count}.json`), JSON.stringify(bridgedLab(count)));
      const loads: number[] = [];
      const edits: number[] = [];
      const layouts: number[] = [];
      let heapMb = 0;
      for (let rep = 0; rep < 3; rep++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        // tsx names functions with a helper the page does not have; evaluate() ships them as text.
        await page.addInitScript('window.__name = (f) => f');
        loads.push(await loadTime(page, `${server.url}/?open=lab-${count}.json#token=${server.token}`, count));
        await page.evaluate(() => {
          const cy = window.__nsdCanvas!.cy;
          cy.$('node[kind = "namespace"]').first().select();
        });
        await page.getByTestId('prop-dns').waitFor();
        if (rep === 0) for (let i = 0; i < EDITS; i++) edits.push(await editTime(page, i + 1));
        layouts.push(await layoutTime(page));
        heapMb = Math.max(heapMb, ((await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0)) as number) / 1e6);
        await page.close();
      }
      rows.push({ namespaces: count, loadMs: median(loads), editMs: median(edits), layoutMs: median(layouts), heapMb });
    }
    const base = rows[0]!;
    console.log('\ndesigner in Chromium (median): load and first render; edit in the properties panel -> script preview updated; Layout -> painted\n');
    console.log(['namespaces', 'load ms', 'ratio vs 10', 'edit ms', 'ratio vs 10', 'layout ms', 'JS heap MB'].map((h) => h.padStart(13)).join(''));
    for (const r of rows) {
      console.log(
        [r.namespaces, r.loadMs.toFixed(0), (r.loadMs / base.loadMs).toFixed(2), r.editMs.toFixed(1), (r.editMs / base.editMs).toFixed(2), r.layoutMs.toFixed(0), r.heapMb.toFixed(1)].map((v) => String(v).padStart(13)).join(''),
      );
    }
    const big = rows.at(-1)!;
    console.log(`\ngoal: edit -> script preview under ${GOAL_EDIT_MS} ms at ${big.namespaces} namespaces: ${big.editMs <= GOAL_EDIT_MS ? 'met' : 'NOT met'} (${big.editMs.toFixed(0)} ms)`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

// `node --import tsx bench/designer.ts` runs this part alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await designerBench();
