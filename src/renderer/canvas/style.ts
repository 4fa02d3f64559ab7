/**
 * The canvas's cytoscape stylesheet, per theme: one icon and look per node kind, each address
 * at its end of the cable, interface names at a readable zoom, and the marks the designer
 * paints. Labels whose drawn size would fall below MIN_READABLE_PX are not drawn at all.
 */
import type { StylesheetJson } from 'cytoscape';
import type { Theme } from '../theme.js';
import { END_LABEL_OFFSET } from '../export/svg.js';
import { iconUri, type IconKind } from './icons.js';

/** Text drawn smaller than this many screen pixels is left out (cytoscape's min-zoomed-font-size). */
export const MIN_READABLE_PX = 8;
/** The interface names on a cable: only from this zoom on (and on hover). */
export const IFNAME_ZOOM = 1.2;
/** The icons: only from this zoom on (smaller they are specks, and drawing a thousand costs). */
export const ICON_ZOOM = 0.4;

interface Colors {
  text: string;
  muted: string;
  labelBg: string;
  line: string;
  accent: string;
  bad: string;
  good: string;
  warn: string;
  kinds: Record<IconKind, { fill: string; border: string }>;
  note: { fill: string; border: string; text: string };
  pass: string;
  fail: string;
}

export const CANVAS_COLORS: Record<Theme, Colors> = {
  light: {
    text: '#1d2733',
    muted: '#55606b',
    labelBg: '#ffffff',
    line: '#6c7a89',
    accent: '#2f7ed8',
    bad: '#d0312d',
    good: '#2e8b2e',
    warn: '#c98a00',
    kinds: {
      namespace: { fill: '#d9e8f6', border: '#44607a' },
      router: { fill: '#f3e3c3', border: '#8a6420' },
      bridge: { fill: '#e1f0dc', border: '#4b7a3d' },
      host: { fill: '#ece4f6', border: '#6b4f8a' },
      internet: { fill: '#f2f2f2', border: '#777777' },
    },
    note: { fill: '#fff8c5', border: '#d4b000', text: '#1d2733' },
    pass: '#b9e6b3',
    fail: '#f6c1bf',
  },
  dark: {
    text: '#e6edf3',
    muted: '#aab4bf',
    labelBg: '#161b22',
    line: '#8b98a5',
    accent: '#58a6ff',
    bad: '#ff6b63',
    good: '#56d364',
    warn: '#e3b341',
    kinds: {
      namespace: { fill: '#1d3550', border: '#79a6d2' },
      router: { fill: '#4a3714', border: '#d9a548' },
      bridge: { fill: '#1f3d1a', border: '#7cc16a' },
      host: { fill: '#35284a', border: '#b495dc' },
      internet: { fill: '#30363d', border: '#9aa4ae' },
    },
    note: { fill: '#3d3510', border: '#c9a800', text: '#f4ecc0' },
    pass: '#1f4d24',
    fail: '#5c1f1c',
  },
};

const KINDS: IconKind[] = ['namespace', 'router', 'bridge', 'host', 'internet'];
const SHAPES: Record<IconKind, Record<string, string | number>> = {
  namespace: { shape: 'round-rectangle' },
  router: { shape: 'ellipse' },
  bridge: { shape: 'round-rectangle', width: 90, height: 30 },
  host: { shape: 'round-rectangle', width: 54 },
  internet: { shape: 'ellipse', width: 70, height: 44 },
};

/**
 * The stylesheet for `theme`. It does not change with the zoom: the canvas marks nodes `no-icons`
 * below ICON_ZOOM and cables `show-ifnames` from IFNAME_ZOOM on (view-classes.ts).
 */
export function canvasStyle(theme: Theme): StylesheetJson {
  const c = CANVAS_COLORS[theme];
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        'min-zoomed-font-size': MIN_READABLE_PX,
        color: c.text,
        'text-background-color': c.labelBg,
        'text-background-opacity': 0.75,
        'text-background-padding': '1px',
        width: 44,
        height: 44,
        'border-width': 2,
        'border-color': c.kinds.namespace.border,
        'background-color': c.kinds.namespace.fill,
        'background-fit': 'none',
        'background-width': '26px',
        'background-height': '26px',
        'background-clip': 'none',
      },
    },
    ...KINDS.map((kind) => ({
      selector: `node[kind = "${kind}"]`,
      style: { ...SHAPES[kind], 'background-color': c.kinds[kind].fill, 'border-color': c.kinds[kind].border, 'background-image': iconUri(kind, theme) },
    })),
    { selector: 'node.no-icons', style: { 'background-image': 'none' } },
    { selector: 'node[kind = "bridge"]', style: { 'background-width': '22px', 'background-height': '22px' } },
    {
      selector: 'node[kind = "note"]',
      style: {
        shape: 'round-rectangle',
        width: 160,
        height: 60,
        'background-color': c.note.fill,
        'border-color': c.note.border,
        color: c.note.text,
        'border-width': 1,
        'text-valign': 'center',
        'text-margin-y': 0,
        'text-max-width': '150px',
        'text-background-opacity': 0,
        'font-size': 11,
      },
    },
    {
      selector: 'edge',
      style: {
        width: 2,
        'line-color': c.line,
        // Straight, as a lone bezier cable is drawn anyway, without bezier's search for the
        // cables that share its ends (a quadratic cost per bridge at 1,000 namespaces); cables
        // that do share both ends (`parallel`, elements.ts) are bezier so they fan out.
        'curve-style': 'straight',
        // One font size for the three labels of a cable: the interface names in the middle are
        // drawn only from IFNAME_ZOOM on (the canvas sets show-ifnames), on hover and when selected.
        label: '',
        'font-size': 10,
        'min-zoomed-font-size': MIN_READABLE_PX,
        'font-family': 'system-ui, sans-serif',
        color: c.text,
        'text-rotation': 'autorotate',
        'text-background-color': c.labelBg,
        'text-background-opacity': 0.8,
        'text-background-padding': '1px',
        // Each end's addresses at that end of the cable.
        'source-label': 'data(sourceLabel)',
        'target-label': 'data(targetLabel)',
        'source-text-offset': END_LABEL_OFFSET,
        'target-text-offset': END_LABEL_OFFSET,
        'text-wrap': 'wrap',
      },
    },
    // Impairments (netem) are always shown; the interface names, when drawn, come with them.
    { selector: 'edge.impaired', style: { label: 'data(badge)', 'line-style': 'dashed', 'line-dash-pattern': [8, 3] } },
    { selector: 'edge.parallel', style: { 'curve-style': 'bezier' } },
    { selector: 'edge.show-ifnames, edge.hover, edge:selected', style: { label: 'data(label)' } },
    { selector: 'edge.hover', style: { 'z-index': 10 } },
    { selector: ':selected', style: { 'overlay-color': c.accent, 'overlay-opacity': 0.18, 'overlay-padding': 6 } },
    { selector: 'edge:selected', style: { 'line-color': c.accent, width: 4 } },
    { selector: '.warned', style: { 'border-color': c.warn, 'border-style': 'dashed' } },
    { selector: 'node.invalid', style: { 'border-color': c.bad, 'border-width': 3, 'border-style': 'dashed' } },
    { selector: 'edge.invalid', style: { 'line-color': c.bad, 'line-style': 'dashed' } },
    { selector: 'node.probe-pass', style: { 'background-color': c.pass, 'border-color': c.good } },
    { selector: 'edge.probe-pass', style: { 'line-color': c.good, width: 3 } },
    { selector: 'node.probe-fail', style: { 'background-color': c.fail, 'border-color': c.bad, 'border-width': 3 } },
    { selector: 'edge.probe-fail', style: { 'line-color': c.bad, width: 3 } },
    // Drift (inspect): dashed where the host lacks or differs from the drawing, dotted where it has more.
    { selector: 'edge.drift-down', style: { 'line-color': c.bad, 'line-style': 'dashed', width: 4 } },
    { selector: 'node.drift-missing', style: { 'border-color': c.bad, 'border-style': 'dashed', 'border-width': 3 } },
    { selector: 'edge.drift-missing', style: { 'line-color': c.bad, 'line-style': 'dotted', width: 3 } },
    { selector: 'node.drift-different', style: { 'border-color': c.warn, 'border-style': 'dashed', 'border-width': 3 } },
    { selector: 'edge.drift-different', style: { 'line-color': c.warn, 'line-style': 'dashed' } },
    { selector: 'node.drift-extra', style: { 'border-style': 'double', 'border-width': 4 } },
    // A service that ended or is not running: its badge (in the label) says how, in the warning colour.
    { selector: 'node.service-down', style: { color: c.warn } },
    { selector: '.step-failed', style: { 'overlay-color': c.bad, 'overlay-opacity': 0.3, 'overlay-padding': 8 } },
    { selector: '.link-source', style: { 'border-color': c.accent, 'border-width': 4 } },
    { selector: '.ghost', style: { opacity: 0.6, 'line-style': 'dashed', 'line-color': c.accent, width: 2, label: '', 'source-label': '', 'target-label': '' } },
    { selector: 'node.ghost', style: { width: 1, height: 1, label: '', 'border-width': 0, 'background-image': 'none' } },
  ];
}
