/**
 * The drawing as a standalone SVG (cytoscape draws to canvas only): node shapes and icons per
 * kind, links with each end's addresses, labels, and the marks; positions come from the
 * canvas. Pure, tested under Node.
 */
import type { CanvasEdge, CanvasNode } from '../canvas/elements.js';
import { ICON_INK, ICON_PATHS } from '../canvas/icons.js';

/** How far from its node an end's addresses are drawn along the cable (as the canvas' source-text-offset). */
export const END_LABEL_OFFSET = 36;

const FILL: Record<CanvasNode['kind'], string> = { namespace: '#d9e8f6', router: '#f3e3c3', bridge: '#e1f0dc', host: '#ece4f6', internet: '#f2f2f2', note: '#fff8c5' };
const STROKE: Record<CanvasNode['kind'], string> = { namespace: '#44607a', router: '#8a6420', bridge: '#4b7a3d', host: '#6b4f8a', internet: '#777777', note: '#d4b000' };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function markColor(classes: readonly string[], fallback: string): string {
  if (classes.includes('probe-fail') || classes.includes('invalid') || classes.includes('step-failed')) return '#d0312d';
  if (classes.includes('probe-pass')) return '#2e8b2e';
  return fallback;
}

export function drawingSvg(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[], sizes: ReadonlyMap<string, { w: number; h: number }> = new Map()): string {
  const pad = 60;
  const size = (n: CanvasNode) => sizes.get(n.id) ?? { w: n.kind === 'bridge' ? 90 : n.kind === 'internet' ? 70 : n.kind === 'note' ? 160 : 44, h: n.kind === 'bridge' ? 26 : n.kind === 'internet' ? 40 : n.kind === 'note' ? 60 : 44 };
  const xs = nodes.flatMap((n) => [n.position.x - size(n).w / 2, n.position.x + size(n).w / 2]);
  const ys = nodes.flatMap((n) => [n.position.y - size(n).h / 2, n.position.y + size(n).h / 2 + 14 * n.label.split('\n').length]);
  const minX = Math.min(0, ...xs) - pad;
  const minY = Math.min(0, ...ys) - pad;
  const width = Math.max(100, ...xs) - minX + pad;
  const height = Math.max(100, ...ys) - minY + pad;
  const at = new Map(nodes.map((n) => [n.id, n.position]));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="${minX} ${minY} ${Math.ceil(width)} ${Math.ceil(height)}" font-family="system-ui, sans-serif">`,
    `<rect x="${minX}" y="${minY}" width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const e of edges) {
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (!a || !b) continue;
    out.push(`<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="${markColor(e.classes, '#6c7a89')}" stroke-width="2"><title>${esc(e.id)}</title></line>`);
    if (e.label) out.push(`<text x="${(a.x + b.x) / 2}" y="${(a.y + b.y) / 2 - 4}" font-size="9" fill="#55606b" text-anchor="middle">${esc(e.label)}</text>`);
    // Each end's addresses near that end, as the canvas draws them.
    const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    for (const [from, to, text] of [[a, b, e.sourceLabel], [b, a, e.targetLabel]] as const) {
      if (!text) continue;
      const x = from.x + ((to.x - from.x) * END_LABEL_OFFSET) / length;
      const y = from.y + ((to.y - from.y) * END_LABEL_OFFSET) / length;
      text.split('\n').forEach((line, i) => out.push(`<text x="${x}" y="${y + i * 11}" font-size="10" fill="#1d2733" text-anchor="middle">${esc(line)}</text>`));
    }
  }
  for (const n of nodes) {
    const { w, h } = size(n);
    const { x, y } = n.position;
    const stroke = markColor(n.classes, STROKE[n.kind]);
    const common = `fill="${FILL[n.kind]}" stroke="${stroke}" stroke-width="2"`;
    if (n.kind === 'internet') out.push(`<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" ${common}/>`);
    else if (n.kind === 'router') out.push(`<polygon points="${x},${y - h / 2} ${x + w / 2},${y} ${x},${y + h / 2} ${x - w / 2},${y}" ${common}/>`);
    else out.push(`<rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" rx="6" ${common}/>`);
    if (n.kind !== 'note') out.push(`<path transform="translate(${x - 12} ${y - 12})" d="${ICON_PATHS[n.kind]}" fill="none" stroke="${ICON_INK.light}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>`);
    n.label.split('\n').forEach((line, i) => {
      out.push(`<text x="${x}" y="${y + h / 2 + 13 + i * 13}" font-size="11" fill="#1d2733" text-anchor="middle">${esc(line)}</text>`);
    });
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
