/**
 * The toolbar: file commands, undo, the canvas tools, templates, image export, help and the
 * theme. It only reports what was pressed; App.tsx runs the commands.
 */
import type { MenuCommand, Template } from '../shared/ipc/contract.js';
import { ThemeToggle } from './ThemeToggle.js';

export interface ToolbarProps {
  canUndo: boolean;
  canRedo: boolean;
  linkMode: boolean;
  gridOn: boolean;
  templates: readonly Template[];
  /** 'unsaved changes', 'saved' or ''. */
  docState: string;
  onCommand(command: MenuCommand): void;
  onLinkMode(): void;
  onGrid(): void;
  onTemplate(template: Template): void;
  onHelp(): void;
}

export function Toolbar(props: ToolbarProps) {
  const { onCommand: runCommand } = props;
  return (
    <header className="toolbar">
      <strong className="brand">Netns Designer</strong>
      <button type="button" onClick={() => runCommand('new')} title="New (Ctrl+N)" data-testid="new">New</button>
      <button type="button" onClick={() => runCommand('open')} title="Open (Ctrl+O)" data-testid="open">Open…</button>
      <button type="button" onClick={() => runCommand('save')} title="Save (Ctrl+S)" data-testid="save">Save</button>
      <button type="button" onClick={() => runCommand('save-as')} title="Save as (Ctrl+Shift+S)">Save as…</button>
      <span className="sep" />
      <button type="button" onClick={() => runCommand('undo')} disabled={!props.canUndo} title="Undo (Ctrl+Z)" data-testid="undo">Undo</button>
      <button type="button" onClick={() => runCommand('redo')} disabled={!props.canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">Redo</button>
      <span className="sep" />
      <button type="button" className={props.linkMode ? 'active' : ''} onClick={props.onLinkMode} title="Draw links: press on a node, release on another (L)" data-testid="link-mode">Link</button>
      <button type="button" onClick={() => runCommand('layout')} title="Auto-layout (Ctrl+L)" data-testid="layout">Layout</button>
      <button type="button" onClick={() => runCommand('fit')} title="Fit (F)">Fit</button>
      <button type="button" className={props.gridOn ? 'active' : ''} onClick={props.onGrid} title="Snap to grid (G)">Grid</button>
      <span className="sep" />
      <label className="templates">
        <select
          data-testid="templates"
          value=""
          onChange={(e) => {
            const t = props.templates.find((x) => x.id === e.target.value);
            if (t) props.onTemplate(t);
          }}
        >
          <option value="">Templates…</option>
          {props.templates.map((t) => (
            <option key={t.id} value={t.id} title={t.description}>
              {t.title}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => runCommand('export-png')} data-testid="export-png">PNG</button>
      <button type="button" onClick={() => runCommand('export-svg')} data-testid="export-svg">SVG</button>
      <span className="spacer" />
      <button type="button" onClick={props.onHelp} title="Keyboard shortcuts (?)" data-testid="help">
        ?
      </button>
      <ThemeToggle />
      <span className="doc-state" data-testid="doc-state">{props.docState}</span>
    </header>
  );
}
