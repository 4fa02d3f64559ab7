/**
 * The classes the canvas sets on elements by itself, for the view rather than the document:
 * icons left out when zoomed far out, interface names on the cables when zoomed in, the hovered
 * cable. Zoom thresholds toggle a class on the elements concerned instead of swapping the whole
 * stylesheet, which restyled every element (a frame of several hundred ms at 1,000 namespaces).
 * Pure, tested under Node; Canvas.tsx applies them.
 */
import { ICON_ZOOM, IFNAME_ZOOM } from './style.js';

/** On nodes below ICON_ZOOM: no icon. */
export const NO_ICONS = 'no-icons';
/** On cables from IFNAME_ZOOM on: the interface names drawn. */
export const SHOW_IFNAMES = 'show-ifnames';
/** On the cable under the pointer. */
export const HOVER = 'hover';
const VIEW_CLASSES: readonly string[] = [NO_ICONS, SHOW_IFNAMES, HOVER];

/** What the view shows at `zoom`. */
export function zoomView(zoom: number): { icons: boolean; ifnames: boolean } {
  return { icons: zoom >= ICON_ZOOM, ifnames: zoom >= IFNAME_ZOOM };
}

/** The view classes an element added at this view starts with. */
export function addedViewClasses(kind: 'node' | 'edge', view: { icons: boolean; ifnames: boolean }): string[] {
  if (kind === 'node') return view.icons ? [] : [NO_ICONS];
  return view.ifnames ? [SHOW_IFNAMES] : [];
}

/**
 * The classes an element gets when the document's classes for it are `fromDocument`: those,
 * plus the view classes it has now. Null when that is what it has (each change restyles it).
 */
export function classesToApply(current: readonly string[], fromDocument: readonly string[]): string[] | null {
  const next = [...fromDocument, ...current.filter((c) => VIEW_CLASSES.includes(c) && !fromDocument.includes(c))];
  if (next.length === current.length && next.every((c) => current.includes(c))) return null;
  return next;
}

/** A part of the drawing, in drawing coordinates. */
export interface Region {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Elements brought in line per frame after a zoom threshold is crossed: each costs a restyle and
 * a new texture, so restyling all 2,000 elements of a 1,000-namespace drawing at once made one
 * frame of 300 ms in the middle of a wheel zoom. Spread over frames, those in view first.
 */
export const VIEW_CLASSES_PER_FRAME = 40;

/**
 * How long the view must have stood still before a crossed threshold restyles anything. A restyle
 * while the view moves also stops cytoscape from drawing from its cached layers for a quarter of
 * a second (it draws every element in view on each frame instead), which made the frames around
 * a threshold miss their time all through a wheel zoom; so the icons and interface names follow
 * the zoom once it pauses, in view first.
 */
export const VIEW_STILL_MS = 150;

/** How many ms from `now` until the view, last moved at `movedAt`, counts as still (0: it does). */
export function untilStill(movedAt: number, now: number): number {
  return Math.max(0, VIEW_STILL_MS - (now - movedAt));
}

/** What counts as in view: the view and a quarter of it around. */
export function nearView(extent: Region): Region {
  const w = (extent.x2 - extent.x1) / 4;
  const h = (extent.y2 - extent.y1) / 4;
  return { x1: extent.x1 - w, y1: extent.y1 - h, x2: extent.x2 + w, y2: extent.y2 + h };
}

/**
 * Of the elements whose view classes are behind, those to bring in line this frame: in view only,
 * at most `limit`; `more` when others in view remain. Those out of view stay behind until the view
 * comes to them: zoomed in on a 1,000-namespace drawing, catching up all 2,000 elements meant 50
 * frames of restyles, each making cytoscape draw every element in view instead of its cached
 * layers, for a few elements that can be seen (and as many again on the way back out).
 */
export function catchUp<T>(behind: readonly T[], inView: (e: T) => boolean, limit: number): { now: T[]; more: boolean } {
  const now: T[] = [];
  for (const e of behind) {
    if (!inView(e)) continue;
    if (now.length === limit) return { now, more: true };
    now.push(e);
  }
  return { now, more: false };
}

/** Whether `p` lies in `region`. */
export function inRegion(region: Region, p: { x: number; y: number }): boolean {
  return p.x >= region.x1 && p.x <= region.x2 && p.y >= region.y1 && p.y <= region.y2;
}

/** Whether a cable from `a` to `b` may show in `region`: an end or its middle (where its names are) there. */
export function cableInRegion(region: Region, a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return inRegion(region, a) || inRegion(region, b) || inRegion(region, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
}
