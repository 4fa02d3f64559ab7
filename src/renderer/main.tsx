/**
 * The renderer's entry: picks the API (Electron preload or the browser entry's loopback channel),
 * loads the starting drawing (`?open=FILE`, `?template=ID`, `?start=empty`, else a template)
 * and mounts the designer.
 */
import './no-eval.js';
import { createRoot } from 'react-dom/client';
import { emptyDocument, type Doc } from '../shared/document/commands.js';
import { pickApi } from './api/index.js';
import { App } from './App.js';
import { startTheme } from './theme.js';

startTheme();

/** The template a fresh window opens with: the tutorial's bridge with the host on it. */
const DEFAULT_TEMPLATE = '03-host-bridge';

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  const api = pickApi();
  if (typeof api === 'string') {
    root.render(<p className="fatal">{api}</p>);
    return;
  }
  const params = new URLSearchParams(window.location.search);
  let start: Doc = emptyDocument();
  let path: string | null = null;
  const open = params.get('open');
  if (open) {
    // `?open=FILE`: a drawing from the workspace (nsd designer FILE prints such a link).
    try {
      const file = await api.invoke('file:open', { path: open });
      if (file) {
        start = JSON.parse(file.text) as Doc;
        path = file.path;
      }
    } catch (e) {
      root.render(<p className="fatal">Cannot open {open}: {(e as Error).message}</p>);
      return;
    }
  } else if (params.get('start') !== 'empty') {
    const wanted = params.get('template') ?? DEFAULT_TEMPLATE;
    try {
      const templates = await api.invoke('templates:list', {});
      const t = templates.find((x) => x.id === wanted) ?? templates[0];
      if (t) start = t.doc as Doc;
    } catch {
      // no templates: start empty
    }
  }
  root.render(<App api={api} startDoc={start} startPath={path} />);
}

void boot();
