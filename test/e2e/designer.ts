/**
 * The designer in a real browser for the end-to-end tests: Debian's Chromium driven by
 * playwright-core against the browser entry (src/main/web), which serves the real handlers
 * (compile, files, deploy over SSH, the sandbox lab host). Screenshots go to test-results/e2e.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { enterLab, labDown } from '../../src/main/lab/lab-host.js';
import { startBrowserDesigner } from '../../src/main/web/launch.js';
import type { WebServer } from '../../src/main/web/server.js';
import { NETNS_IDS_SCRIPT, netnsIdsOf } from '../support/processes.js';
import { hasTool, skipUnless } from '../support/tools.js';
import { requireLab } from '../lab/sandbox.js';

export const CHROMIUM = process.env.NSD_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = join(process.cwd(), 'test-results', 'e2e');

/** True when the suite must be skipped (outside CI only, loudly). */
export function skipWithoutChromium(suite: string): boolean {
  return skipUnless(suite, { [`Chromium (${CHROMIUM}, Debian package chromium)`]: existsSync(CHROMIUM) });
}

export interface Designer {
  server: WebServer;
  browser: Browser;
  page: Page;
  workspace: string;
  /** Page errors and console errors seen so far (a test asserts there are none). */
  errors: string[];
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the services and opens the designer; `query` is added to the URL (e.g. `start=empty`). */
export async function openDesigner(
  options: { query?: string; env?: Record<string, string | undefined>; workspace?: string; /** Say yes to confirm() and the unsaved-changes guard. */ acceptDialogs?: boolean } = {},
): Promise<Designer> {
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'nsd-e2e-'));
  const server = await startBrowserDesigner({ workspace, ...(options.env ? { env: options.env } : {}) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: false });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  const errors: string[] = [];
  if (options.acceptDialogs) page.on('dialog', (dialog) => void dialog.accept());
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('favicon')) errors.push(`console: ${m.text()}`);
  });
  const url = `${server.url}/${options.query ? `?${options.query}` : ''}#token=${server.token}`;
  await page.goto(url);
  await page.getByTestId('canvas').waitFor();
  await page.waitForFunction(() => window.__nsdCanvas !== undefined);
  mkdirSync(SHOTS, { recursive: true });
  return {
    server,
    browser,
    page,
    workspace,
    errors,
    shot: async (name) => {
      const path = join(SHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Where an element is drawn, in page coordinates. */
export async function positionOf(page: Page, id: string): Promise<{ x: number; y: number }> {
  const p = await page.evaluate((eid) => window.__nsdCanvas?.clientPosition(eid), id);
  if (!p) throw new Error(`element ${id} is not on the canvas`);
  return p;
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas' top left corner. */
export async function dropFromPalette(page: Page, item: string, at: { x: number; y: number }): Promise<void> {
  await page.getByTestId(`palette-${item}`).dragTo(page.getByTestId('canvas'), { targetPosition: at });
}

/** Clicks an element on the canvas. */
export async function clickElement(page: Page, id: string, modifier?: 'Shift' | 'Control'): Promise<void> {
  const p = await positionOf(page, id);
  if (modifier) await page.keyboard.down(modifier);
  await page.mouse.click(p.x, p.y);
  if (modifier) await page.keyboard.up(modifier);
}

/** Draws a link in link mode: press on `from`, release on `to`. */
export async function drawLink(page: Page, from: string, to: string): Promise<void> {
  const a = await positionOf(page, from);
  const b = await positionOf(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

/** The ids on the canvas. */
export function canvasIds(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__nsdCanvas?.ids() ?? []);
}

/** True when the built renderer is missing or older than `since` (ms). */
export function rendererStale(dir: string, since: number): boolean {
  const index = join(dir, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < since;
}

/** The whole text of the script panel's tab, as the Copy button puts it on the clipboard ('' while there is none). */
export async function scriptText(page: Page): Promise<string> {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  // The button is disabled while the drawing has errors; the live compile may flip it at any moment.
  const copied = await page
    .getByTestId('copy-script')
    .click({ timeout: 1000 })
    .then(() => true)
    .catch(() => false);
  if (!copied) return '';
  let text = '';
  for (let i = 0; i < 50 && text === ''; i++) {
    text = await page.evaluate(() => navigator.clipboard.readText());
    if (text === '') await page.waitForTimeout(20);
  }
  return text;
}

/**
 * True when a suite that deploys to a local sandbox lab host must be skipped (outside CI only,
 * loudly): it needs Chromium, root with the lab tools, sshd and ssh-keygen.
 */
export function skipWithoutLabHost(suite: string): boolean {
  return (
    skipWithoutChromium(suite) ||
    requireLab(suite) ||
    skipUnless(suite, { 'sshd (openssh-server)': hasTool('sshd') || existsSync('/usr/sbin/sshd'), 'ssh-keygen (openssh-client)': hasTool('ssh-keygen') })
  );
}

/**
 * A lab base (NSD_LAB_DIR) of the test's own, never the machine's default: `make()` in beforeAll,
 * `remove()` in afterAll takes down whatever lab host the test left running and deletes the base.
 */
export class TestLabBase {
  dir = '';
  /** `more` adds to the environment (its own HOME, ...), read each time. */
  constructor(private readonly more: () => Record<string, string | undefined> = () => ({})) {}

  make(prefix = 'nsd-e2e-lab-'): void {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  env(): Record<string, string | undefined> {
    return { ...process.env, NSD_LAB_DIR: this.dir, ...this.more() };
  }

  /** The network namespaces of lab host `name` (see NETNS_IDS_SCRIPT): processesWith() then looks only there. */
  netnsIds(name = 'default'): Set<string> {
    const [cmd, ...args] = [...enterLab(name, this.env()), 'bash', '-c', NETNS_IDS_SCRIPT];
    return netnsIdsOf(execFileSync(cmd!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  async remove(): Promise<void> {
    if (!this.dir) return;
    await labDown('default', this.env()).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
