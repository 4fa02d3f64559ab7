/**
 * The main window's size, position and maximized state between sessions: a pure clamp that
 * keeps the window on a display that still exists, and window-state.json in the state dir.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../services/files.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the window was; no x/y means "let the window manager place it". */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
/** How much of the window must overlap a display for the saved position to be kept. */
const MIN_VISIBLE = 100;

const STATE_FILE = 'window-state.json';
const Dimension = z.number().int().min(1).max(100_000);
const Coordinate = z.number().int().min(-100_000).max(100_000);
const SavedState = z.object({
  x: Coordinate.optional(),
  y: Coordinate.optional(),
  width: Dimension,
  height: Dimension,
  maximized: z.boolean().default(false),
});

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * Fits a saved state onto the displays' work areas (the primary first): the window moves fully
 * onto the display it overlaps most and shrinks to fit it; a window that is (almost) off every
 * display, e.g. on an unplugged monitor, loses its position and is sized for the primary.
 */
export function clampToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const primary = workAreas[0];
  if (!primary) return { ...state };
  const fit = (area: Rect) => ({
    width: Math.max(Math.min(state.width, area.width), Math.min(MIN_WIDTH, area.width)),
    height: Math.max(Math.min(state.height, area.height), Math.min(MIN_HEIGHT, area.height)),
  });
  if (state.x === undefined || state.y === undefined) {
    return { ...fit(primary), maximized: state.maximized };
  }
  const rect = { x: state.x, y: state.y, width: state.width, height: state.height };
  let best: { area: Rect; visible: { width: number; height: number } } | undefined;
  for (const area of workAreas) {
    const visible = overlap(rect, area);
    if (!best || visible.width * visible.height > best.visible.width * best.visible.height) best = { area, visible };
  }
  if (!best || best.visible.width < Math.min(MIN_VISIBLE, state.width) || best.visible.height < Math.min(MIN_VISIBLE, state.height)) {
    return { ...fit(primary), maximized: state.maximized };
  }
  const { area } = best;
  const size = fit(area);
  const x = Math.min(Math.max(state.x, area.x), area.x + area.width - size.width);
  const y = Math.min(Math.max(state.y, area.y), area.y + area.height - size.height);
  return { x, y, ...size, maximized: state.maximized };
}

/** The saved state, or the default when there is none or it cannot be read. */
export async function loadWindowState(stateDir: string): Promise<WindowState> {
  try {
    const parsed = SavedState.safeParse(JSON.parse(await readFile(join(stateDir, STATE_FILE), 'utf8')));
    if (!parsed.success) return { ...DEFAULT_WINDOW_STATE };
    const { x, y, width, height, maximized } = parsed.data;
    return x === undefined || y === undefined ? { width, height, maximized } : { x, y, width, height, maximized };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Saves the state (the normal, unmaximized bounds and whether the window was maximized). */
export async function saveWindowState(stateDir: string, state: WindowState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(stateDir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}
