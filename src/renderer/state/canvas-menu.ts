/**
 * What the canvas' context menus offer (right-click): on the background, adding each palette
 * kind where the pointer is, Paste, Layout, Fit and Select all; on a node, its terminal in the
 * running lab, its services (namespaces and routers) and Delete; on a link, packet captures on
 * either end, its impairments and Delete. Entries are data;
 * App.tsx runs them. Pure, tested under Node.
 */
import { nodeHasShell } from '../../shared/live/remote-commands.js';
import type { Doc } from '../../shared/document/commands.js';

/** A menu entry: what it does (App.tsx carries it out) and its label. */
export type MenuEntry =
  | { do: 'add'; palette: string; label: string }
  | { do: 'command'; command: 'paste' | 'layout' | 'fit' | 'select-all'; label: string }
  | { do: 'terminal'; node: string; label: string }
  | { do: 'capture'; link: string; ends: readonly ('a' | 'b')[]; label: string }
  /** Selects `id` and puts the focus on its panel's `field` (a test id in panels/). */
  | { do: 'edit'; id: string; field: string; label: string }
  | { do: 'delete'; id: string; label: string };

/** The fields that the menus open: the link's delay (NetemFields) and the node's services (ServicesFields). */
export const MENU_FIELDS = { impairments: 'prop-netem-delayMs', services: 'services' } as const;

/** The background's menu; `palette` is the palette's items (key and label), `canPaste` whether the clipboard holds elements. */
export function backgroundMenu(palette: readonly { key: string; label: string }[], state: { canPaste: boolean; empty: boolean }): MenuEntry[] {
  const out: MenuEntry[] = palette.map((p) => ({ do: 'add', palette: p.key, label: `Add ${/^[aeiou]/i.test(p.label) ? 'an' : 'a'} ${p.label.toLowerCase()} here` }));
  if (state.canPaste) out.push({ do: 'command', command: 'paste', label: 'Paste' });
  if (!state.empty) {
    out.push({ do: 'command', command: 'layout', label: 'Layout' });
    out.push({ do: 'command', command: 'fit', label: 'Fit' });
    out.push({ do: 'command', command: 'select-all', label: 'Select all' });
  }
  return out;
}

/** The menu of node or link `id` (empty when it is neither). */
export function elementMenu(doc: Doc, id: string): MenuEntry[] {
  const node = (doc.nodes ?? []).find((n) => n.id === id);
  if (node) {
    return [
      ...(nodeHasShell(node.kind) ? [{ do: 'terminal' as const, node: id, label: 'Open terminal' }] : []),
      ...(node.kind === 'namespace' ? [{ do: 'edit' as const, id, field: MENU_FIELDS.services, label: 'Services…' }] : []),
      { do: 'delete', id, label: `Delete ${id}` },
    ];
  }
  const link = (doc.links ?? []).find((l) => l.id === id);
  if (!link) return [];
  return [
    { do: 'capture', link: id, ends: ['a'], label: `Capture on end a (${link.a.node})` },
    { do: 'capture', link: id, ends: ['b'], label: `Capture on end b (${link.b.node})` },
    { do: 'capture', link: id, ends: ['a', 'b'], label: 'Capture on both ends' },
    { do: 'edit', id, field: MENU_FIELDS.impairments, label: 'Impairments (delay, loss, rate)…' },
    { do: 'delete', id, label: `Delete link ${id}` },
  ];
}
