/** The palette: drag an element kind onto the canvas (or click it to drop it in the middle). */
import { useSyncExternalStore } from 'react';
import type { NodeKind } from '../../shared/model/topology.js';
import { iconUri } from '../canvas/icons.js';
import { currentTheme, subscribeTheme } from '../theme.js';

export interface PaletteItem {
  kind: NodeKind | 'note';
  router?: boolean;
  label: string;
  hint: string;
}

/** Drag payloads: `namespace`, `router` (a namespace drawn as router), `bridge`, `host`, `internet`. */
export const PALETTE: PaletteItem[] = [
  { kind: 'namespace', label: 'Namespace', hint: 'A network namespace: its own interfaces, routes and ARP table' },
  { kind: 'namespace', router: true, label: 'Router', hint: 'A namespace that forwards between its interfaces' },
  { kind: 'bridge', label: 'Bridge', hint: 'A Linux bridge in the host: a switch' },
  { kind: 'host', label: 'Host', hint: "The host's own root namespace" },
  { kind: 'internet', label: 'Internet', hint: 'The outside world, through the host uplink' },
  { kind: 'note', label: 'Note', hint: 'A free-text note on the drawing (the script ignores it)' },
];

export function paletteKey(item: PaletteItem): string {
  return item.router ? 'router' : item.kind;
}

export function Palette(props: { onAdd(item: PaletteItem): void }) {
  const theme = useSyncExternalStore(subscribeTheme, currentTheme);
  return (
    <nav className="palette" aria-label="Palette">
      {PALETTE.map((item) => (
        <button
          key={paletteKey(item)}
          type="button"
          className={`palette-item kind-${paletteKey(item)}`}
          draggable
          title={`${item.hint}. Drag onto the canvas, or click to add.`}
          data-testid={`palette-${paletteKey(item)}`}
          onDragStart={(e) => {
            e.dataTransfer.setData('application/x-nsd-kind', paletteKey(item));
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => props.onAdd(item)}
        >
          {item.kind === 'note' ? <span className="icon" aria-hidden /> : <img className="icon" src={iconUri(item.router ? 'router' : item.kind, theme)} alt="" />}
          {item.label}
        </button>
      ))}
    </nav>
  );
}
