/**
 * The panes around the canvas: palette | canvas | properties over problems | script | run, with
 * fixed toolbars above and the status bar below. Panes are resized by their separators,
 * collapse when dragged small (or with the status bar's pane buttons), and their sizes are
 * remembered; each pane keeps the width it was given whatever its content, so buttons do not
 * move under the pointer. The run view's Expand gives it the whole bottom (state/workspace.ts).
 */
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { Group, Panel, Separator, useDefaultLayout, useGroupRef, usePanelRef, type PanelImperativeHandle } from 'react-resizable-panels';
import { GROUPS, PANES, toggleRunWhole, runHasWholeBottom, type PaneLayout } from './state/workspace.js';

const storage = typeof window !== 'undefined' ? window.localStorage : undefined;

export interface WorkspaceProps {
  palette: ReactNode;
  canvas: ReactNode;
  side: ReactNode;
  problems: ReactNode;
  script: ReactNode;
  /** The run view, told whether it has the whole bottom and how to toggle that. */
  run(whole: boolean, toggleWhole: () => void): ReactNode;
  /** The status bar's text (the pane buttons sit at its right). */
  status: ReactNode;
  statusError: boolean;
}

function PaneButton(props: { label: string; pane: React.RefObject<PanelImperativeHandle | null>; open: boolean; testId: string }) {
  return (
    <button
      type="button"
      className={props.open ? 'pane-toggle active' : 'pane-toggle'}
      aria-pressed={props.open}
      title={`${props.open ? 'Hide' : 'Show'} the ${props.label.toLowerCase()}`}
      data-testid={props.testId}
      onClick={() => {
        const p = props.pane.current;
        if (!p) return;
        if (p.isCollapsed()) p.expand();
        else p.collapse();
      }}
    >
      {props.label}
    </button>
  );
}

export function Workspace(props: WorkspaceProps) {
  const main = useDefaultLayout({ id: GROUPS.main, ...(storage ? { storage } : {}) });
  const work = useDefaultLayout({ id: GROUPS.work, ...(storage ? { storage } : {}) });
  const bottom = useDefaultLayout({ id: GROUPS.bottom, ...(storage ? { storage } : {}) });
  const bottomGroup = useGroupRef();
  const palette = usePanelRef();
  const side = usePanelRef();
  const bottomPane = usePanelRef();
  const [open, setOpen] = useState({ palette: true, side: true, bottom: true });
  const [whole, setWhole] = useState(false);
  const before = useRef<PaneLayout | null>(null);
  const seen = (pane: keyof typeof open) => (size: { asPercentage: number }) => setOpen((o) => (o[pane] === size.asPercentage > 0 ? o : { ...o, [pane]: size.asPercentage > 0 }));
  const toggleWhole = useCallback(() => {
    const group = bottomGroup.current;
    if (!group) return;
    const next = toggleRunWhole(group.getLayout(), before.current);
    before.current = next.before;
    group.setLayout(next.layout);
  }, [bottomGroup]);
  return (
    <>
      <Group orientation="vertical" id={GROUPS.main} className="workspace" defaultLayout={main.defaultLayout} onLayoutChanged={main.onLayoutChanged}>
        <Panel id={PANES.work} data-testid="pane:work" minSize="120px">
          <Group orientation="horizontal" id={GROUPS.work} defaultLayout={work.defaultLayout} onLayoutChanged={work.onLayoutChanged}>
            <Panel id={PANES.palette} data-testid="pane:palette" panelRef={palette} className="pane palette-pane" defaultSize="132px" minSize="90px" maxSize="240px" collapsible groupResizeBehavior="preserve-pixel-size" onResize={seen('palette')}>
              {props.palette}
            </Panel>
            <Separator className="separator" />
            <Panel id={PANES.canvas} data-testid="pane:canvas" className="pane canvas-pane" minSize="200px">
              {props.canvas}
            </Panel>
            <Separator className="separator" />
            <Panel id={PANES.side} data-testid="pane:side" panelRef={side} className="pane side-pane" defaultSize="330px" minSize="220px" maxSize="60%" collapsible groupResizeBehavior="preserve-pixel-size" onResize={seen('side')}>
              {props.side}
            </Panel>
          </Group>
        </Panel>
        <Separator className="separator" />
        <Panel id={PANES.bottom} data-testid="pane:bottom" panelRef={bottomPane} defaultSize="300px" minSize="120px" collapsible groupResizeBehavior="preserve-pixel-size" onResize={seen('bottom')}>
          <Group
            orientation="horizontal"
            id={GROUPS.bottom}
            groupRef={bottomGroup}
            className="bottom"
            defaultLayout={bottom.defaultLayout}
            onLayoutChanged={(layout, meta) => {
              bottom.onLayoutChanged(layout, meta);
              setWhole(runHasWholeBottom(layout));
            }}
          >
            <Panel id={PANES.problems} data-testid="pane:problems" className="pane" defaultSize="22%" minSize="140px" collapsible>
              {props.problems}
            </Panel>
            <Separator className="separator" />
            <Panel id={PANES.script} data-testid="pane:script" className="pane" defaultSize="45%" minSize="240px" collapsible>
              {props.script}
            </Panel>
            <Separator className="separator" />
            <Panel id={PANES.run} data-testid="pane:run" className="pane" defaultSize="33%" minSize="280px" collapsible>
              {props.run(whole, toggleWhole)}
            </Panel>
          </Group>
        </Panel>
      </Group>
      <footer className={`status${props.statusError ? ' error' : ''}`}>
        <span className={props.statusError ? 'status-text error' : 'status-text'} data-testid="status-bar" role="status">
          {props.status}
        </span>
        <span className="spacer" />
        <PaneButton label="Palette" pane={palette} open={open.palette} testId="pane-palette" />
        <PaneButton label="Properties" pane={side} open={open.side} testId="pane-side" />
        <PaneButton label="Bottom" pane={bottomPane} open={open.bottom} testId="pane-bottom" />
      </footer>
    </>
  );
}
