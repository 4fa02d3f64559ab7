/**
 * The minimap: the whole drawing in a small box in the canvas' corner, with the part in view
 * outlined. Press or drag in it to bring that part into view. Drawn on a 2D canvas from
 * cytoscape's positions and viewport (cytoscape-navigator is unmaintained).
 */
import type { Core } from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { Theme } from '../theme.js';
import { CANVAS_COLORS } from './style.js';

export const MINIMAP = { width: 200, height: 140, pad: 8 };
/** What changes the drawing in the minimap (redrawn then), and what only moves the view outline. */
// Not 'style': the view classes (view-classes.ts) change no colour the minimap draws, and after a
// zoom threshold they are toggled a few dozen elements a frame.
const MINIMAP_DRAWING_EVENTS = 'add remove position select unselect data';
const MINIMAP_VIEW_EVENTS = 'viewport resize';

/** How drawing coordinates map into the minimap: the drawing's bounds fitted into the box. */
export interface MinimapScale {
  x1: number;
  y1: number;
  scale: number;
  dx: number;
  dy: number;
}

/** The scale that fits `bounds` (drawing coordinates) into the minimap, centred. */
export function minimapScale(bounds: { x1: number; y1: number; x2: number; y2: number }): MinimapScale {
  const w = Math.max(1, bounds.x2 - bounds.x1);
  const h = Math.max(1, bounds.y2 - bounds.y1);
  const scale = Math.min((MINIMAP.width - 2 * MINIMAP.pad) / w, (MINIMAP.height - 2 * MINIMAP.pad) / h);
  return { x1: bounds.x1, y1: bounds.y1, scale, dx: (MINIMAP.width - w * scale) / 2, dy: (MINIMAP.height - h * scale) / 2 };
}

export function Minimap(props: { cy: Core | null; theme: Theme }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const cy = props.cy;
    const el = ref.current;
    if (!cy || !el) return;
    const colors = CANVAS_COLORS[props.theme];
    let frame = 0;
    let scale: MinimapScale = minimapScale({ x1: 0, y1: 0, x2: 1, y2: 1 });
    // The drawing is drawn once per change of the drawing into its own layer; a pan or zoom only
    // copies that layer and outlines the view (going over every element on each frame of a pan
    // cost more than cytoscape's own rendering at 1,000 namespaces).
    const layer = document.createElement('canvas');
    let layerStale = true;
    let empty = true;
    const drawLayer = (ratio: number): void => {
      layerStale = false;
      layer.width = MINIMAP.width * ratio;
      layer.height = MINIMAP.height * ratio;
      const ctx = layer.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const nodes = cy.nodes().filter((n) => !n.hasClass('ghost') && n.visible());
      empty = nodes.length === 0;
      if (empty) return;
      el.dataset.layers = String(Number(el.dataset.layers ?? 0) + 1);
      const b = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
      nodes.forEach((n) => {
        const p = n.position();
        b.x1 = Math.min(b.x1, p.x);
        b.y1 = Math.min(b.y1, p.y);
        b.x2 = Math.max(b.x2, p.x);
        b.y2 = Math.max(b.y2, p.y);
      });
      const margin = 40;
      scale = minimapScale({ x1: b.x1 - margin, y1: b.y1 - margin, x2: b.x2 + margin, y2: b.y2 + margin });
      const at = (p: { x: number; y: number }): [number, number] => [scale.dx + (p.x - scale.x1) * scale.scale, scale.dy + (p.y - scale.y1) * scale.scale];
      ctx.strokeStyle = colors.line;
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      cy.edges().forEach((e) => {
        if (e.hasClass('ghost')) return;
        const [x1, y1] = at(e.source().position());
        const [x2, y2] = at(e.target().position());
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
      });
      ctx.stroke();
      ctx.globalAlpha = 1;
      nodes.forEach((n) => {
        const kind = n.data('kind') as keyof typeof colors.kinds | 'note';
        ctx.fillStyle = kind === 'note' ? colors.note.border : n.selected() ? colors.accent : colors.kinds[kind].border;
        const [x, y] = at(n.position());
        const r = kind === 'bridge' || kind === 'host' || kind === 'internet' ? 3 : 1.5;
        ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
      });
    };
    const draw = (): void => {
      frame = 0;
      const ctx = el.getContext('2d');
      if (!ctx) return;
      const ratio = window.devicePixelRatio || 1;
      if (el.width !== MINIMAP.width * ratio) {
        el.width = MINIMAP.width * ratio;
        el.height = MINIMAP.height * ratio;
        layerStale = true;
      }
      if (layerStale) drawLayer(ratio);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, el.width, el.height);
      if (empty) return;
      ctx.drawImage(layer, 0, 0);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const at = (p: { x: number; y: number }): [number, number] => [scale.dx + (p.x - scale.x1) * scale.scale, scale.dy + (p.y - scale.y1) * scale.scale];
      const view = cy.extent();
      const [vx1, vy1] = at({ x: view.x1, y: view.y1 });
      const [vx2, vy2] = at({ x: view.x2, y: view.y2 });
      ctx.strokeStyle = colors.accent;
      ctx.lineWidth = 1.5;
      // A view wider than the drawing: its outline along the box's edge, still visible.
      const clamp = (v: number, max: number): number => Math.min(max - 1, Math.max(1, v));
      const [rx1, ry1] = [clamp(vx1, MINIMAP.width), clamp(vy1, MINIMAP.height)];
      ctx.strokeRect(rx1, ry1, clamp(vx2, MINIMAP.width) - rx1, clamp(vy2, MINIMAP.height) - ry1);
    };
    const later = (): void => {
      if (frame === 0) frame = requestAnimationFrame(draw);
    };
    const changed = (): void => {
      layerStale = true;
      later();
    };
    cy.on(MINIMAP_DRAWING_EVENTS, changed);
    cy.on(MINIMAP_VIEW_EVENTS, later);
    later();

    // Press or drag: the pointed spot comes to the middle of the view.
    let dragging = false;
    const goTo = (e: PointerEvent): void => {
      const rect = el.getBoundingClientRect();
      const x = scale.x1 + (e.clientX - rect.left - scale.dx) / scale.scale;
      const y = scale.y1 + (e.clientY - rect.top - scale.dy) / scale.scale;
      const zoom = cy.zoom();
      cy.pan({ x: cy.width() / 2 - x * zoom, y: cy.height() / 2 - y * zoom });
    };
    const down = (e: PointerEvent): void => {
      dragging = true;
      el.setPointerCapture(e.pointerId);
      goTo(e);
    };
    const move = (e: PointerEvent): void => {
      if (dragging) goTo(e);
    };
    const up = (): void => {
      dragging = false;
    };
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    return () => {
      cancelAnimationFrame(frame);
      cy.off(MINIMAP_DRAWING_EVENTS, changed);
      cy.off(MINIMAP_VIEW_EVENTS, later);
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
    };
  }, [props.cy, props.theme]);
  return <canvas ref={ref} className="minimap" data-testid="minimap" style={{ width: MINIMAP.width, height: MINIMAP.height }} title="The whole drawing: press or drag to look there" />;
}
