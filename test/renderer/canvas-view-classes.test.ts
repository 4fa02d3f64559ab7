import { describe, expect, it } from 'vitest';
import { ICON_ZOOM, IFNAME_ZOOM } from '../../src/renderer/canvas/style.js';
import { addedViewClasses, classesToApply, HOVER, NO_ICONS, SHOW_IFNAMES, zoomView } from '../../src/renderer/canvas/view-classes.js';

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
});
