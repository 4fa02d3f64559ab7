import { describe, expect, it } from 'vitest';
import { ICON_ZOOM, IFNAME_ZOOM } from '../../src/renderer/canvas/style.js';
import { addedViewClasses, cableInRegion, catchUp, classesToApply, HOVER, inRegion, nearView, NO_ICONS, SHOW_IFNAMES, untilStill, VIEW_CLASSES_PER_FRAME, VIEW_STILL_MS, zoomView } from '../../src/renderer/canvas/view-classes.js';

describe('canvas view classes', () => {
  it('shows icons from ICON_ZOOM on and interface names from IFNAME_ZOOM on', () => {
    expect(zoomView(ICON_ZOOM * 0.99)).toEqual({ icons: false, ifnames: false });
    expect(zoomView(ICON_ZOOM)).toEqual({ icons: true, ifnames: false });
    expect(zoomView(IFNAME_ZOOM)).toEqual({ icons: true, ifnames: true });
  });

  it('gives an element added at the current view the classes the zoom set on the others', () => {
    expect(addedViewClasses('node', zoomView(ICON_ZOOM / 2))).toEqual([NO_ICONS]);
    expect(addedViewClasses('node', zoomView(1))).toEqual([]);
    expect(addedViewClasses('edge', zoomView(IFNAME_ZOOM))).toEqual([SHOW_IFNAMES]);
    expect(addedViewClasses('edge', zoomView(1))).toEqual([]);
  });

  it("keeps the view's classes when the document's classes are applied, and reports no change as null", () => {
    // A validation mark comes and goes; the zoom's and the pointer's classes stay.
    expect(classesToApply([NO_ICONS], ['invalid'])).toEqual(['invalid', NO_ICONS]);
    expect(classesToApply(['invalid', SHOW_IFNAMES, HOVER], [])).toEqual([SHOW_IFNAMES, HOVER]);
    expect(classesToApply([SHOW_IFNAMES, 'invalid'], ['invalid'])).toBeNull();
    expect(classesToApply([], [])).toBeNull();
    // A document class that is gone goes.
    expect(classesToApply(['probe-pass', NO_ICONS], ['probe-fail'])).toEqual(['probe-fail', NO_ICONS]);
  });

  it('counts the view and a quarter of it around as in view', () => {
    const region = nearView({ x1: 0, y1: 0, x2: 100, y2: 40 });
    expect(region).toEqual({ x1: -25, y1: -10, x2: 125, y2: 50 });
    expect(inRegion(region, { x: 120, y: 45 })).toBe(true);
    expect(inRegion(region, { x: 126, y: 0 })).toBe(false);
    expect(inRegion(region, { x: 0, y: -11 })).toBe(false);
  });

  it('brings only the elements in view in line, at most the limit per frame; those out of view wait', () => {
    const behind = [1, 2, 3, 4, 5, 6];
    const even = (n: number): boolean => n % 2 === 0;
    expect(catchUp(behind, even, 2)).toEqual({ now: [2, 4], more: true });
    expect(catchUp(behind, even, 3)).toEqual({ now: [2, 4, 6], more: false });
    expect(catchUp(behind, even, 6)).toEqual({ now: [2, 4, 6], more: false });
    expect(catchUp(behind, () => false, 6)).toEqual({ now: [], more: false });
    expect(catchUp([], even, VIEW_CLASSES_PER_FRAME)).toEqual({ now: [], more: false });
  });

  it('waits with a restyle until the view has stood still for VIEW_STILL_MS', () => {
    // Moved just now: the whole wait; partway: the rest; long ago (or never): none.
    expect(untilStill(1000, 1000)).toBe(VIEW_STILL_MS);
    expect(untilStill(1000, 1000 + VIEW_STILL_MS / 3)).toBeCloseTo((VIEW_STILL_MS * 2) / 3);
    expect(untilStill(1000, 1000 + VIEW_STILL_MS)).toBe(0);
    expect(untilStill(-Infinity, 5)).toBe(0);
  });

  it('counts a cable as near the view when an end or its middle is there', () => {
    const region = { x1: 0, y1: 0, x2: 100, y2: 100 };
    expect(cableInRegion(region, { x: 50, y: 50 }, { x: 1000, y: 1000 })).toBe(true);
    expect(cableInRegion(region, { x: -500, y: 50 }, { x: 500, y: 50 })).toBe(true);
    expect(cableInRegion(region, { x: 500, y: 500 }, { x: 1000, y: 1000 })).toBe(false);
  });
});
