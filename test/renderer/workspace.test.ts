import { describe, expect, it } from 'vitest';
import { BOTTOM_START, RUN_WHOLE, runHasWholeBottom, toggleRunWhole } from '../../src/renderer/state/workspace.js';

describe('workspace', () => {
  it('gives the run view the whole bottom, and the others their sizes back after', () => {
    const mine = { problems: 30, script: 30, run: 40 };
    const expanded = toggleRunWhole(mine, null);
    expect(expanded.layout).toEqual(RUN_WHOLE);
    expect(runHasWholeBottom(expanded.layout)).toBe(true);
    const restored = toggleRunWhole(expanded.layout, expanded.before);
    expect(restored).toEqual({ layout: mine, before: null });
  });

  it('restores the start layout when it knows no other (the whole bottom was remembered from last time)', () => {
    expect(toggleRunWhole(RUN_WHOLE, null).layout).toEqual(BOTTOM_START);
    expect(toggleRunWhole({ problems: 0, script: 0.5, run: 99.5 }, RUN_WHOLE).layout).toEqual(BOTTOM_START);
    expect(runHasWholeBottom(BOTTOM_START)).toBe(false);
  });
});
