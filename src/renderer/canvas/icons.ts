/**
 * One icon per node kind, drawn here as small SVGs (no downloaded assets): a cube for a
 * namespace, the round router with its four arrows, a switch with its crossing arrows, a
 * monitor for the host and a cloud for the internet. The canvas, the palette and the SVG
 * export use them as data URIs; each theme strokes them in its own ink so they read on light
 * and on dark fills.
 */
import type { Theme } from '../theme.js';

export type IconKind = 'namespace' | 'router' | 'bridge' | 'host' | 'internet';

/** The paths of each icon, on a 24 x 24 grid, stroked (not filled). */
export const ICON_PATHS: Record<IconKind, string> = {
  namespace: 'M12 3 20 7.5V16.5L12 21 4 16.5V7.5ZM4 7.5 12 12 20 7.5M12 12V21',
  router: 'M12 3a9 9 0 1 0 0.01 0ZM7 9.5h9M13.5 7l2.5 2.5-2.5 2.5M17 14.5H8M10.5 12 8 14.5l2.5 2.5',
  bridge: 'M2.5 6.5h19v11h-19ZM6 10.5h11.5M15 8.5l2.5 2-2.5 2M18 14H6.5M9 12l-2.5 2 2.5 2',
  host: 'M3.5 4.5h17v11h-17ZM8.5 20h7M12 15.5V20',
  internet: 'M7 18.5h10a4 4 0 0 0 0.6-7.95A6 6 0 0 0 6.3 9.6 4.5 4.5 0 0 0 7 18.5Z',
};

/** The ink of the icons in each theme. */
export const ICON_INK: Record<Theme, string> = { light: '#1d2733', dark: '#e6edf3' };

/** The icon as an SVG document. */
export function iconSvg(kind: IconKind, theme: Theme): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="${ICON_INK[theme]}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="${ICON_PATHS[kind]}"/></svg>`;
}

/** The icon as a data URI, for cytoscape's background-image and <img>. */
export function iconUri(kind: IconKind, theme: Theme): string {
  return `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(kind, theme))}`;
}
