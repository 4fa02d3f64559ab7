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
