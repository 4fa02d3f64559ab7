/**
 * The workspace's panes: their ids, the layouts they start with, and what the pane buttons do
 * to a layout (sizes in percent of their group, as react-resizable-panels keeps them). The
 * layouts are remembered per group in localStorage (react-resizable-panels' useDefaultLayout);
 * Workspace.tsx renders them.
 */

/** A group's layout: pane id -> percent of the group. */
export type PaneLayout = Record<string, number>;

/** The three groups: the main column (work area over the bottom panes), the work area's row and the bottom row. */
export const GROUPS = { main: 'nsd-main', work: 'nsd-work', bottom: 'nsd-bottom' } as const;
export const PANES = { work: 'work', bottom: 'bottom', palette: 'palette', canvas: 'canvas', side: 'side', problems: 'problems', script: 'script', run: 'run' } as const;

/** The bottom row's layout when the run view takes all of it. */
export const RUN_WHOLE: PaneLayout = { [PANES.problems]: 0, [PANES.script]: 0, [PANES.run]: 100 };
/** The bottom row's layout before the user changed it. */
export const BOTTOM_START: PaneLayout = { [PANES.problems]: 22, [PANES.script]: 45, [PANES.run]: 33 };

/** True when the run view has the whole bottom (the other panes are collapsed). */
export function runHasWholeBottom(layout: PaneLayout): boolean {
  return (layout[PANES.run] ?? 0) >= 99;
}

/**
 * The Expand button of the run view: it takes the whole bottom; pressed again, the bottom goes
 * back to the layout it had before (or the start layout when that was the whole bottom too).
 */
export function toggleRunWhole(layout: PaneLayout, before: PaneLayout | null): { layout: PaneLayout; before: PaneLayout | null } {
  if (!runHasWholeBottom(layout)) return { layout: RUN_WHOLE, before: layout };
  return { layout: before && !runHasWholeBottom(before) ? before : BOTTOM_START, before: null };
}
