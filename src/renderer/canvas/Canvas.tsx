/**
 * The drawing surface: a cytoscape instance owned through a ref. It renders the document's
 * elements and reports gestures (select, drag, connect, drop from the palette) as callbacks;
 * it never owns state, so undo, files and compile never see cytoscape.
 */
import cytoscape, { type Core, type EventObject, type NodeSingular } from 'cytoscape';
import { useEffect, useImperativeHandle, useRef, useState, useSyncExternalStore, type Ref } from 'react';
import { currentTheme, subscribeTheme } from '../theme.js';
import type { CanvasEdge, CanvasNode } from './elements.js';
import { CANVAS_COLORS, canvasStyle } from './style.js';
import { addedViewClasses, cableInRegion, catchUp, classesToApply, HOVER, inRegion, nearView, NO_ICONS, SHOW_IFNAMES, untilStill, VIEW_CLASSES_PER_FRAME, VIEW_STILL_MS, zoomView } from './view-classes.js';
import { Minimap } from './Minimap.js';
import { Search } from './Search.js';

export interface CanvasHandle {
  fit(): void;
  zoom(factor: number): void;
  center(id: string): void;
  /** Opens the search box (Ctrl+F). */
  search(): void;
  png(): string;
  /** The middle of what is in view, in drawing coordinates. */
  viewCenter(): { x: number; y: number };
  /** Positions and sizes as drawn, for the SVG export. */
  snapshot(): { nodes: { id: string; x: number; y: number; w: number; h: number }[] };
}

export interface CanvasProps {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  selection: readonly string[];
  linkMode: boolean;
  grid: number;
  onSelect(ids: string[]): void;
  onMove(moves: { id: string; position: { x: number; y: number } }[]): void;
  onConnect(from: string, to: string): void;
  onDropKind(kind: string, position: { x: number; y: number }): void;
  /** A double-click on a node, or a right-click on a node or link (`at`: page coordinates). */
  onElementGesture?(gesture: 'open' | 'menu', id: string, at: { x: number; y: number }): void;
  /** A right-click on the background (`at`: page coordinates; `position`: in the drawing). */
  onBackgroundMenu?(at: { x: number; y: number }, position: { x: number; y: number }): void;
  handle: Ref<CanvasHandle>;
}

declare global {
  interface Window {
    /** For tests and the bench: where an element is drawn, in page coordinates. */
    __nsdCanvas?: { clientPosition(id: string): { x: number; y: number } | undefined; ids(): string[]; cy: Core };
  }
}

/** Gives an element the document's classes (keeping its view classes), only when they differ: each change restyles it. */
function setClasses(ele: cytoscape.SingularElementReturnValue, classes: readonly string[]): void {
  const next = classesToApply(ele.classes() as unknown as string[], classes);
  if (next) ele.classes(next.join(' '));
}

/** Fits the drawing into view without blowing a few nodes up to fill the screen. */
function fitView(cy: Core): void {
  if (cy.elements().length === 0) return;
  cy.fit(undefined, 40);
  if (cy.zoom() > 1.25) cy.zoom({ level: 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  if (cy.zoom() >= 1.25) cy.center();
}

function snapTo(grid: number, p: { x: number; y: number }): { x: number; y: number } {
  return grid > 0 ? { x: Math.round(p.x / grid) * grid, y: Math.round(p.y / grid) * grid } : p;
}

export function Canvas(props: CanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const syncing = useRef(false);
  /** A click's selection not yet reported to the store: the canvas is ahead, the store must not undo it. */
  const pendingReport = useRef(false);
  const [tooltip, setTooltip] = useState<{ text: string; x: number; y: number } | null>(null);
  const [cyState, setCyState] = useState<Core | null>(null);
  const [searching, setSearching] = useState(false);
  const theme = useSyncExternalStore(subscribeTheme, currentTheme);
  /** What the view shows at the current zoom (icons, interface names): new elements get its classes. */
  const view = useRef({ icons: true, ifnames: false });
  /** Brings every element's view classes in line with the zoom (set up with the instance). */
  const syncZoomView = useRef<() => void>(() => undefined);

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: canvasStyle(currentTheme()),
      boxSelectionEnabled: true,
      // A click selects one element; Shift or Ctrl + click, or a box drag, add to the selection.
      selectionType: 'single',
      minZoom: 0.05,
      maxZoom: 4,
    });
    cyRef.current = cy;
    setCyState(cy);
    let selectTimer: ReturnType<typeof setTimeout> | undefined;
    const reportSelection = (): void => {
      if (syncing.current) return;
      clearTimeout(selectTimer);
      pendingReport.current = true;
      selectTimer = setTimeout(() => {
        pendingReport.current = false;
        latest.current.onSelect(cy.$(':selected').map((e) => e.id()));
      }, 0);
    };
    cy.on('select unselect', reportSelection);
    cy.on('dragfree', 'node', () => {
      const moved = cy.$('node:selected').union(cy.nodes(':grabbed'));
      const grid = latest.current.grid;
      const moves = moved.nodes().map((n) => ({ id: n.id(), position: snapTo(grid, n.position()) }));
      if (moves.length > 0) latest.current.onMove(moves);
    });
    cy.on('grab', 'node', (e: EventObject) => {
      // Dragging an unselected node moves just that node (with Shift or Ctrl, the click adds it instead).
      const mouse = e.originalEvent as MouseEvent | undefined;
      if (!e.target.selected() && !mouse?.shiftKey && !mouse?.ctrlKey && !mouse?.metaKey) {
        cy.$(':selected').unselect();
        e.target.select();
      }
    });

    // Link mode: press on a node, release on another (or click one, then the other).
    let source: NodeSingular | null = null;
    const ghost = { node: 'nsd-ghost-end', edge: 'nsd-ghost-edge' };
    const clearGhost = (): void => {
      cy.remove(`#${ghost.node}, #${ghost.edge}`);
    };
    const nodeAt = (pos: { x: number; y: number }): NodeSingular | undefined =>
      cy.nodes().filter((n) => {
        if (n.id() === ghost.node) return false;
        const b = n.boundingBox({ includeLabels: false });
        return pos.x >= b.x1 && pos.x <= b.x2 && pos.y >= b.y1 && pos.y <= b.y2;
      })[0];
    /** True once the press that chose the source was released on it: the next click is the second of click-click. */
    let armed = false;
    cy.on('tapstart', 'node', (e: EventObject) => {
      if (!latest.current.linkMode || e.target.data('kind') === 'note') return;
      if (source && source.id() !== e.target.id()) return; // the second click of click-click: handled on tapend
      if (source && armed) {
        // Clicked the source again: a link to itself, which the editor refuses, saying why.
        const self = source.id();
        source.removeClass('link-source');
        source = null;
        armed = false;
        clearGhost();
        latest.current.onConnect(self, self);
        return;
      }
      source = e.target as NodeSingular;
      source.addClass('link-source');
      clearGhost();
      cy.add([
        { group: 'nodes', data: { id: ghost.node }, position: { ...e.position }, classes: 'ghost', selectable: false, grabbable: false },
        { group: 'edges', data: { id: ghost.edge, source: source.id(), target: ghost.node }, classes: 'ghost', selectable: false },
      ]);
    });
    cy.on('tapdrag', (e: EventObject) => {
      if (source) cy.$(`#${ghost.node}`).position({ ...e.position });
    });
    cy.on('tapend', (e: EventObject) => {
      if (!latest.current.linkMode || !source) return;
      const found = nodeAt(e.position);
      const target = found?.data('kind') === 'note' ? undefined : found;
      if (target && target.id() !== source.id()) {
        const from = source.id();
        source.removeClass('link-source');
        source = null;
        armed = false;
        clearGhost();
        latest.current.onConnect(from, target.id());
        return;
      }
      if (!target) {
        source.removeClass('link-source');
        source = null;
      }
      armed = source !== null;
      clearGhost();
    });
    const exitLinkMode = (): void => {
      source?.removeClass('link-source');
      source = null;
      armed = false;
      clearGhost();
    };
    (cy as unknown as { nsdExitLinkMode: () => void }).nsdExitLinkMode = exitLinkMode;

    cy.on('mouseover', 'node, edge', (e: EventObject) => {
      const text = e.target.data('tooltip') as string | undefined;
      const pos = e.renderedPosition ?? { x: 0, y: 0 };
      if (text) setTooltip({ text, x: pos.x + 12, y: pos.y + 12 });
      if (e.target.isEdge()) e.target.addClass(HOVER);
    });
    cy.on('mouseout', 'node, edge', (e: EventObject) => {
      setTooltip(null);
      if (e.target.isEdge()) e.target.removeClass(HOVER);
    });
    // The interface names on the cables from a zoom where they are readable; the icons left out
    // when zoomed far out: a class on the elements concerned, the stylesheet stays. A threshold
    // crossed restyles nothing while the view moves; once it has stood still for VIEW_STILL_MS,
    // VIEW_CLASSES_PER_FRAME elements a frame of those in view, until they are in line. `behind`
    // holds every element out of line: those out of view wait there until the view stops near
    // them; an export brings all in line at once.
    let behind: cytoscape.SingularElementArgument[] = [];
    let catchUpFrame = 0;
    let stillTimer: ReturnType<typeof setTimeout> | undefined;
    let movedAt = -Infinity;
    const inLine = (ele: cytoscape.SingularElementArgument): boolean =>
      ele.isNode() ? ele.hasClass(NO_ICONS) !== view.current.icons : ele.hasClass(SHOW_IFNAMES) === view.current.ifnames;
    const outOfLine = (): cytoscape.SingularElementArgument[] => cy.elements().toArray().filter((ele) => !inLine(ele));
    const bringInLine = (eles: readonly cytoscape.SingularElementArgument[]): void => {
      const { icons, ifnames } = view.current;
      cy.batch(() => {
        for (const ele of eles) {
          if (ele.isNode()) ele.toggleClass(NO_ICONS, !icons);
          else ele.toggleClass(SHOW_IFNAMES, ifnames);
        }
      });
    };
    const catchUpNext = (): void => {
      catchUpFrame = 0;
      const wait = untilStill(movedAt, performance.now());
      if (wait > 0) {
        clearTimeout(stillTimer);
        stillTimer = setTimeout(catchUpNext, wait);
        return;
      }
      // Removed since, or in line already (added at this view, or the zoom went back).
      behind = behind.filter((ele) => !ele.removed() && !inLine(ele));
      const region = nearView(cy.extent());
      const inView = (ele: cytoscape.SingularElementArgument): boolean =>
        ele.isEdge() ? cableInRegion(region, ele.source().position(), ele.target().position()) : inRegion(region, (ele as cytoscape.NodeSingular).position());
      const next = catchUp(behind, inView, VIEW_CLASSES_PER_FRAME);
      bringInLine(next.now);
      if (next.more) catchUpFrame = requestAnimationFrame(catchUpNext);
    };
    const followView = (everywhere: boolean): void => {
      const wanted = zoomView(cy.zoom());
      const shown = view.current;
      const changed = wanted.icons !== shown.icons || wanted.ifnames !== shown.ifnames;
      view.current = wanted;
      if (everywhere) {
        cancelAnimationFrame(catchUpFrame);
        catchUpFrame = 0;
        clearTimeout(stillTimer);
        bringInLine(outOfLine());
        behind = [];
        return;
      }
      movedAt = performance.now();
      if (changed) behind = outOfLine();
      if (behind.length === 0) return;
      // Paused until the view stands still (catchUpNext waits for it).
      cancelAnimationFrame(catchUpFrame);
      catchUpFrame = 0;
      clearTimeout(stillTimer);
      stillTimer = setTimeout(catchUpNext, VIEW_STILL_MS);
    };
    cy.on('viewport', () => followView(false));
    syncZoomView.current = () => followView(true);
    // A key acts on the selection the user sees: a click's report still waiting for its timer is
    // made now, before the key's command (Ctrl+A, Delete) changes the selection it would undo.
    // Ctrl+F: search the drawing (the browser's own find cannot see into the canvas).
    const onKey = (e: KeyboardEvent): void => {
      if (pendingReport.current) {
        clearTimeout(selectTimer);
        pendingReport.current = false;
        latest.current.onSelect(cy.$(':selected').map((ele) => ele.id()));
      }
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        setSearching(true);
      }
    };
    // Capture: before the designer's own key listener.
    window.addEventListener('keydown', onKey, true);
    // cytoscape reports a double tap for two quick taps on different elements too: a double-click is two on the same one.
    const taps: (string | null)[] = [null, null];
    cy.on('tap', (e) => {
      taps.shift();
      taps.push(e.target === cy ? null : (e.target.id() as string));
    });
    const gesture = (kind: 'open' | 'menu') => (e: EventObject) => {
      // In link mode two clicks on one node are a (refused) self-link, not a request for a terminal.
      if (kind === 'open' && latest.current.linkMode) return;
      if (kind === 'open' && taps[0] !== e.target.id()) return;
      const rect = container.current?.getBoundingClientRect();
      const at = e.renderedPosition ?? { x: 0, y: 0 };
      latest.current.onElementGesture?.(kind, e.target.id() as string, { x: at.x + (rect?.left ?? 0), y: at.y + (rect?.top ?? 0) });
    };
    cy.on('dbltap', 'node', gesture('open'));
    cy.on('cxttap', 'node, edge', gesture('menu'));
    cy.on('cxttap', (e) => {
      if (e.target !== cy) return;
      const rect = container.current?.getBoundingClientRect();
      const at = e.renderedPosition ?? { x: 0, y: 0 };
      latest.current.onBackgroundMenu?.({ x: at.x + (rect?.left ?? 0), y: at.y + (rect?.top ?? 0) }, e.position);
    });
    // The box shrinks when the terminal dock opens under it.
    const resized = new ResizeObserver(() => cy.resize());
    if (container.current) resized.observe(container.current);

    window.__nsdCanvas = {
      cy,
      ids: () => cy.elements().map((e) => e.id()),
      clientPosition: (id) => {
        const ele = cy.getElementById(id);
        if (ele.empty() || !container.current) return undefined;
        const rect = container.current.getBoundingClientRect();
        const p = ele.isNode() ? ele.renderedPosition() : (ele as unknown as cytoscape.EdgeSingular).renderedMidpoint();
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
    };
    return () => {
      clearTimeout(selectTimer);
      cancelAnimationFrame(catchUpFrame);
      clearTimeout(stillTimer);
      window.removeEventListener('keydown', onKey, true);
      resized.disconnect();
      cy.destroy();
      cyRef.current = null;
      delete window.__nsdCanvas;
    };
  }, []);

  // The document changed: bring the drawing in line, element by element.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const first = cy.nodes().length === 0;
    if (first && props.nodes.length > 1) {
      // A drawing that will be fitted far out: added without icons, not restyled after the fit.
      const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
      for (const { position: p } of props.nodes) {
        box.x1 = Math.min(box.x1, p.x);
        box.y1 = Math.min(box.y1, p.y);
        box.x2 = Math.max(box.x2, p.x);
        box.y2 = Math.max(box.y2, p.y);
      }
      const fit = Math.min((cy.width() - 80) / (box.x2 - box.x1 + 100), (cy.height() - 80) / (box.y2 - box.y1 + 100));
      if (!zoomView(fit).icons) view.current = { ...view.current, icons: false };
    }
    const nodeClasses = addedViewClasses('node', view.current);
    const edgeClasses = addedViewClasses('edge', view.current);
    cy.batch(() => {
      const wanted = new Set<string>();
      // New elements go in with one add: each add is a collection, its events and a restyle of its own.
      const added: cytoscape.ElementDefinition[] = [];
      for (const n of props.nodes) {
        wanted.add(n.id);
        const ele = cy.getElementById(n.id);
        if (ele.empty()) {
          added.push({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind, tooltip: n.tooltip }, position: { ...n.position }, classes: [...n.classes, ...nodeClasses] });
          continue;
        }
        if (ele.data('label') !== n.label) ele.data('label', n.label);
        if (ele.data('kind') !== n.kind) ele.data('kind', n.kind);
        if (ele.data('tooltip') !== n.tooltip) ele.data('tooltip', n.tooltip);
        setClasses(ele, n.classes);
        const p = ele.position();
        if (!ele.grabbed() && (p.x !== n.position.x || p.y !== n.position.y)) ele.position({ ...n.position });
      }
      for (const e of props.edges) {
        wanted.add(e.id);
        const ele = cy.getElementById(e.id);
        if (!ele.empty() && (ele.data('source') !== e.source || ele.data('target') !== e.target)) ele.remove();
        if (ele.empty() || ele.removed()) {
          added.push({ group: 'edges', data: { id: e.id, source: e.source, target: e.target, label: e.label, sourceLabel: e.sourceLabel, targetLabel: e.targetLabel, badge: e.badge, tooltip: e.tooltip }, classes: [...e.classes, ...edgeClasses] });
          continue;
        }
        if (ele.data('label') !== e.label) ele.data('label', e.label);
        if (ele.data('sourceLabel') !== e.sourceLabel) ele.data('sourceLabel', e.sourceLabel);
        if (ele.data('targetLabel') !== e.targetLabel) ele.data('targetLabel', e.targetLabel);
        if (ele.data('badge') !== e.badge) ele.data('badge', e.badge);
        if (ele.data('tooltip') !== e.tooltip) ele.data('tooltip', e.tooltip);
        setClasses(ele, e.classes);
      }
      cy.elements()
        .filter((ele) => !wanted.has(ele.id()) && !ele.hasClass('ghost'))
        .remove();
      if (added.length > 0) cy.add(added);
    });
    if (first && props.nodes.length > 1) {
      fitView(cy);
      syncZoomView.current();
    }
  }, [props.nodes, props.edges]);

  // The selection changed in the store (undo, paste, a click in the problems list).
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || pendingReport.current) return;
    syncing.current = true;
    const wanted = new Set(props.selection);
    cy.batch(() => {
      cy.elements().forEach((ele) => {
        if (wanted.has(ele.id()) && !ele.selected()) ele.select();
        else if (!wanted.has(ele.id()) && ele.selected()) ele.unselect();
      });
    });
    syncing.current = false;
    // Only a change of the store's selection: a redraw must not undo a click the store has not heard of yet.
  }, [props.selection]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.autoungrabify(props.linkMode);
    cy.boxSelectionEnabled(!props.linkMode);
    if (!props.linkMode) (cy as unknown as { nsdExitLinkMode?: () => void }).nsdExitLinkMode?.();
  }, [props.linkMode]);

  // The theme changed: restyle (cytoscape draws on a canvas, CSS variables do not reach it).
  // Not on mount: the instance was made with this theme's style, and a new stylesheet restyles
  // every element (at 1,000 namespaces, a third of the time to open the drawing).
  const styledTheme = useRef(theme);
  useEffect(() => {
    if (styledTheme.current === theme) return;
    styledTheme.current = theme;
    cyRef.current?.style(canvasStyle(theme));
  }, [theme]);

  useImperativeHandle(props.handle, () => ({
    search: () => setSearching(true),
    fit: () => cyRef.current && fitView(cyRef.current),
    zoom: (factor) => {
      const cy = cyRef.current;
      if (!cy) return;
      cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    },
    center: (id) => {
      const cy = cyRef.current;
      const ele = cy?.getElementById(id);
      if (cy && ele && !ele.empty()) cy.animate({ center: { eles: ele } }, { duration: 200 });
    },
    png: () => {
      // The whole drawing is exported: every element with the classes of this zoom.
      syncZoomView.current();
      return cyRef.current?.png({ output: 'base64uri', full: true, scale: 2, bg: CANVAS_COLORS[currentTheme()].labelBg }) ?? '';
    },
    viewCenter: () => {
      const cy = cyRef.current;
      if (!cy) return { x: 300, y: 200 };
      const e = cy.extent();
      return { x: (e.x1 + e.x2) / 2, y: (e.y1 + e.y2) / 2 };
    },
    snapshot: () => ({
      nodes: (cyRef.current?.nodes().toArray() ?? [])
        .filter((n) => !n.hasClass('ghost'))
        .map((n) => ({ id: n.id(), x: n.position('x'), y: n.position('y'), w: n.width(), h: n.height() })),
    }),
  }));

  return (
    <div
      className={`canvas${props.linkMode ? ' link-mode' : ''}`}
      data-testid="canvas"
      onContextMenu={(e) => e.preventDefault()}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('application/x-nsd-kind')) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={(e) => {
        const kind = e.dataTransfer.getData('application/x-nsd-kind');
        const cy = cyRef.current;
        if (!kind || !cy || !container.current) return;
        e.preventDefault();
        const rect = container.current.getBoundingClientRect();
        const pan = cy.pan();
        const zoom = cy.zoom();
        const position = { x: (e.clientX - rect.left - pan.x) / zoom, y: (e.clientY - rect.top - pan.y) / zoom };
        latest.current.onDropKind(kind, snapTo(latest.current.grid, position));
      }}
    >
      <div ref={container} className="cy" />
      <Minimap cy={cyState} theme={theme} />
      {searching && cyState && (
        <Search
          cy={cyState}
          nodes={props.nodes}
          onSelect={(id) => latest.current.onSelect([id])}
          onClose={() => setSearching(false)}
        />
      )}
      {tooltip && (
        <div className="tooltip" role="tooltip" style={{ left: tooltip.x, top: tooltip.y }}>
          {tooltip.text}
        </div>
      )}
    </div>
  );
}
