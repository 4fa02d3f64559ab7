import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clampToDisplays, DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState, type Rect, type WindowState } from '../../../src/main/app/window-state.js';

const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT: Rect = { x: 1920, y: 0, width: 1280, height: 984 };

describe('window-state', () => {
  it.each<[string, WindowState, Rect[], WindowState]>([
    ['keeps a window that fits', { x: 100, y: 50, width: 1200, height: 800, maximized: false }, [PRIMARY], { x: 100, y: 50, width: 1200, height: 800, maximized: false }],
    ['moves a window hanging off the right edge back in', { x: 1500, y: 100, width: 1000, height: 700, maximized: false }, [PRIMARY], { x: 920, y: 100, width: 1000, height: 700, maximized: false }],
    ['shrinks a window larger than its display', { x: 0, y: 0, width: 4000, height: 3000, maximized: true }, [PRIMARY], { x: 0, y: 0, width: 1920, height: 1040, maximized: true }],
    ['keeps a window on the second display', { x: 2000, y: 100, width: 1000, height: 700, maximized: false }, [PRIMARY, RIGHT], { x: 2000, y: 100, width: 1000, height: 700, maximized: false }],
    ['forgets the position on a display that was unplugged', { x: 2000, y: 100, width: 1000, height: 700, maximized: false }, [PRIMARY], { width: 1000, height: 700, maximized: false }],
    ['forgets the position when only a sliver is visible', { x: 1880, y: 100, width: 1000, height: 700, maximized: false }, [PRIMARY], { width: 1000, height: 700, maximized: false }],
    ['raises a window smaller than the minimum', { x: 10, y: 10, width: 200, height: 100, maximized: false }, [PRIMARY], { x: 10, y: 10, width: 800, height: 560, maximized: false }],
    ['sizes a window without position for the primary display', { width: 3000, height: 900, maximized: false }, [{ x: 0, y: 0, width: 1366, height: 740 }], { width: 1366, height: 740, maximized: false }],
    ['moves a window above the top onto the display', { x: 100, y: -300, width: 1000, height: 700, maximized: false }, [PRIMARY], { x: 100, y: 0, width: 1000, height: 700, maximized: false }],
  ])('%s', (_name, state, displays, expected) => {
    expect(clampToDisplays(state, displays)).toEqual(expected);
  });

  it('falls back to the default when nothing was saved or the file is damaged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-ws-'));
    expect(await loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(join(dir, 'window-state.json'), '{"width": "wide"}');
    expect(await loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(join(dir, 'window-state.json'), 'nonsense');
    expect(await loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('saves and loads the bounds and the maximized flag', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nsd-ws-')), 'state');
    await saveWindowState(dir, { x: -1200, y: 40, width: 1100, height: 720, maximized: true });
    expect(await loadWindowState(dir)).toEqual({ x: -1200, y: 40, width: 1100, height: 720, maximized: true });
    expect(statSync(join(dir, 'window-state.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'window-state.json'), 'utf8'))).toMatchObject({ width: 1100 });
  });
});
