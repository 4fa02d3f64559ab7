import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/shared/document/commands.js';
import { backgroundMenu, elementMenu, MENU_FIELDS } from '../../src/renderer/state/canvas-menu.js';
import { PALETTE, paletteKey } from '../../src/renderer/panels/Palette.js';

const palette = PALETTE.map((p) => ({ key: paletteKey(p), label: p.label }));
const doc: Doc = {
  version: 1,
  name: 'lab',
  nodes: [
    { id: 'red', kind: 'namespace' },
    { id: 'vnet0', kind: 'bridge' },
  ],
  links: [{ id: 'red-vnet0', a: { node: 'red' }, b: { node: 'vnet0' } }],
} as Doc;

describe('canvas-menu', () => {
  it('offers every palette kind on the background, then Paste, Layout, Fit and Select all when they can act', () => {
    const full = backgroundMenu(palette, { canPaste: true, empty: false });
    expect(full.map((e) => e.label)).toEqual([
      'Add a namespace here',
      'Add a router here',
      'Add a bridge here',
      'Add a host here',
      'Add an internet here',
      'Add a note here',
      'Paste',
      'Layout',
      'Fit',
      'Select all',
    ]);
    expect(full[2]).toEqual({ do: 'add', palette: 'bridge', label: 'Add a bridge here' });
    expect(backgroundMenu(palette, { canPaste: false, empty: true }).every((e) => e.do === 'add')).toBe(true);
  });

  it("offers a namespace's terminal, a link's captures, and Delete on both", () => {
    expect(elementMenu(doc, 'red').map((e) => e.label)).toEqual(['Open terminal', 'Services…', 'Delete red']);
    expect(elementMenu(doc, 'red')[1]).toEqual({ do: 'edit', id: 'red', field: MENU_FIELDS.services, label: 'Services…' });
    expect(elementMenu(doc, 'vnet0').map((e) => e.label)).toEqual(['Delete vnet0']);
    const link = elementMenu(doc, 'red-vnet0');
    expect(link.map((e) => e.label)).toEqual(['Capture on end a (red)', 'Capture on end b (vnet0)', 'Capture on both ends', 'Impairments (delay, loss, rate)…', 'Delete link red-vnet0']);
    expect(link[3]).toEqual({ do: 'edit', id: 'red-vnet0', field: MENU_FIELDS.impairments, label: 'Impairments (delay, loss, rate)…' });
    expect(link[2]).toEqual({ do: 'capture', link: 'red-vnet0', ends: ['a', 'b'], label: 'Capture on both ends' });
    expect(elementMenu(doc, 'nothing')).toEqual([]);
  });
});
