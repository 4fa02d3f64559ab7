import { describe, expect, it } from 'vitest';
import { nextChoice, themeFor } from '../../src/renderer/theme.js';
import { iconSvg, ICON_INK, ICON_PATHS } from '../../src/renderer/canvas/icons.js';
import { CANVAS_COLORS, canvasStyle } from '../../src/renderer/canvas/style.js';

describe('theme', () => {
  it.each<[string | null, boolean, 'light' | 'dark']>([
    [null, false, 'light'],
    [null, true, 'dark'],
    ['light', true, 'light'],
    ['dark', false, 'dark'],
    ['purple', true, 'dark'],
  ])('stored %j with a dark system %s shows %s', (stored, systemDark, expected) => {
    expect(themeFor(stored, systemDark)).toBe(expected);
  });

  it('toggles against the system, and back to following it', () => {
    expect(nextChoice('light', false)).toBe('dark');
    expect(nextChoice('dark', false)).toBe('system');
    expect(nextChoice('dark', true)).toBe('light');
    expect(nextChoice('light', true)).toBe('system');
  });

  it('gives every node kind its own icon, inked for the theme, and the canvas the theme colours', () => {
    expect(new Set(Object.values(ICON_PATHS)).size).toBe(5);
    expect(iconSvg('router', 'dark')).toContain(`stroke="${ICON_INK.dark}"`);
    expect(iconSvg('router', 'light')).toContain(`stroke="${ICON_INK.light}"`);
    for (const theme of ['light', 'dark'] as const) {
      const style = canvasStyle(theme) as { selector: string; style: Record<string, unknown> }[];
      const node = style.find((s) => s.selector === 'node')!.style;
      expect(node.color).toBe(CANVAS_COLORS[theme].text);
      const bridge = style.find((s) => s.selector === 'node[kind = "bridge"]')!.style;
      expect(decodeURIComponent(String(bridge['background-image']))).toContain(ICON_PATHS.bridge);
      // Zoomed far out the canvas marks the nodes no-icons: that rule comes after the kinds' icons, so it wins.
      const noIcons = style.findIndex((s) => s.selector === 'node.no-icons');
      expect(style[noIcons]!.style['background-image']).toBe('none');
      expect(style.findLastIndex((s) => s.selector.startsWith('node[kind') && 'background-image' in s.style)).toBeLessThan(noIcons);
    }
  });
});
