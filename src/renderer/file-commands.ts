/**
 * The file commands of the menu and toolbar: open, save, save as, and the exports (PNG, SVG,
 * lab.sh, the plain commands). Each asks main for a path (its native dialog, or the page's own
 * prompt in the browser entry), then for the file operation, and says what happened.
 */
import type { Doc } from '../shared/document/commands.js';
import { drawingFile, type AppInfo, type DesignerApi } from '../shared/ipc/contract.js';
import type { CanvasHandle } from './canvas/Canvas.js';
import type { canvasElements } from './canvas/elements.js';
import { drawingSvg } from './export/svg.js';
import { documentText } from './state/editor.js';

export interface FileCommandDeps {
  api: DesignerApi;
  info: AppInfo | null;
  doc: Doc;
  path: string | null;
  /** The canvas as it is now (it mounts after the commands are made). */
  canvas(): CanvasHandle | null;
  elements: ReturnType<typeof canvasElements>;
  /** False when the drawing does not compile: the script exports then say how many errors stop them. */
  compiles: boolean;
  errorCount: number;
  /** undefined: let main show its native dialog; null: the user cancelled. */
  pathFor(title: string, initial: string, recent?: string[]): Promise<string | undefined | null>;
  confirmDiscard(): boolean;
  load(text: string, path: string | null): void;
  saved(path: string, text: string): void;
  say(text: string, error?: boolean): void;
}

export function fileCommands(d: FileCommandDeps) {
  const { api, doc } = d;
  const save = async (as: boolean): Promise<void> => {
    const text = documentText(doc);
    let path: string | undefined | null = as ? undefined : (d.path ?? undefined);
    if (path === undefined) path = await d.pathFor('Save the drawing as', `${doc.name}.json`);
    if (path === null) return;
    const saved = await api.invoke('file:save', { text, suggestedName: `${doc.name}.json`, ...(path !== undefined ? { path } : {}) });
    if (!saved) return;
    d.saved(saved.path, text);
    await api.invoke('file:discard-recovery', {});
    d.say(`Saved ${saved.path}`);
  };
  const open = async (): Promise<void> => {
    if (!d.confirmDiscard()) return;
    // Without native dialogs (and their Open Recent menu) the prompt lists the recent files.
    const recent = d.info?.nativeDialogs ? undefined : await api.invoke('file:recent', {}).catch(() => []);
    const path = await d.pathFor('Open a drawing', '', recent);
    if (path === null) return;
    const file = await api.invoke('file:open', path !== undefined ? { path } : {});
    if (file) d.load(file.text, file.path);
  };
  const exportImage = async (format: 'png' | 'svg'): Promise<void> => {
    const view = d.canvas();
    const drawn = view?.snapshot().nodes;
    const data = format === 'png' ? (view?.png() ?? '') : drawingSvg(d.elements.nodes.map((n) => ({ ...n, position: drawn?.find((s) => s.id === n.id) ?? n.position })), d.elements.edges);
    const path = await d.pathFor(`Export the drawing as ${format.toUpperCase()}`, `${doc.name}.${format}`);
    if (path === null) return;
    const done = await api.invoke('export:image', { format, data, suggestedName: `${doc.name}.${format}`, ...(path !== undefined ? { path } : {}) });
    if (done) d.say(`Exported ${done.path}`);
  };
  const exportScript = async (plain: boolean): Promise<void> => {
    if (!d.compiles) return d.say(`Fix the ${d.errorCount} error(s) in the problems list before exporting the script.`, true);
    const path = await d.pathFor(plain ? 'Export the plain commands as' : 'Export the script as', `${doc.name}${plain ? '-plain' : ''}.sh`);
    if (path === null) return;
    const source = drawingFile(d.path);
    const done = await api.invoke('export:script', { doc, ...(path !== undefined ? { path } : {}), ...(plain ? { plain } : {}), ...(source !== undefined ? { source } : {}) });
    const file = done?.path.split(/[\\/]/).pop();
    if (done) d.say(plain ? `Exported ${done.path} (plain commands for reading; lab.sh is the script to run)` : `Exported ${done.path} (run it with: sudo bash ${file} up)`);
  };
  return {
    open,
    save: () => save(false),
    'save-as': () => save(true),
    'export-script': () => exportScript(false),
    'export-plain': () => exportScript(true),
    'export-png': () => exportImage('png'),
    'export-svg': () => exportImage('svg'),
  };
}
