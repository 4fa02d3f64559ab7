/**
 * The designer: palette, canvas, properties, problems, the live script and the run view, wired
 * to the editor state and to main's services through the DesignerApi. Deciding code lives in
 * src/shared (compiler, editor commands) and ./state (pure, tested); the panes are laid out by
 * Workspace.tsx, the toolbar is Toolbar.tsx, the file commands file-commands.ts and running the
 * drawing run-control.ts. This file wires them up.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { copySelection, emptyDocument, type Clipboard, type Doc, type EditorCommand } from '../shared/document/commands.js';
import { freeSpot, snap } from '../shared/document/layout.js';
import type { AppInfo, DesignerApi, MenuCommand, SavedTarget, Template } from '../shared/ipc/contract.js';
import type { ProbeResult } from '../shared/deploy/events.js';
import { nodeHasShell } from '../shared/live/remote-commands.js';
import { arrange } from './canvas/arrange.js';
import { Canvas, type CanvasHandle } from './canvas/Canvas.js';
import { canvasElements } from './canvas/elements.js';
import { fileCommands } from './file-commands.js';
import { ElementMenu, type MenuItem } from './live/ElementMenu.js';
import { TerminalPanel, type TerminalPanelHandle } from './live/TerminalPanel.js';
import { HostKeyPrompt, Modal, PathPrompt, TargetsDialog } from './panels/Dialogs.js';
import { Palette, PALETTE, paletteKey, type PaletteItem } from './panels/Palette.js';
import { Problems } from './panels/Problems.js';
import { Properties } from './panels/Properties.js';
import { RunPanel } from './panels/RunPanel.js';
import { ScriptPanel } from './panels/ScriptPanel.js';
import { Toast } from './panels/Toast.js';
import { usePreview } from './preview-client.js';
import { useRunControl } from './run-control.js';
import { keepSameProblems } from './state/problems.js';
import { focusField } from './panels/focus-field.js';
import type { Problem } from '../shared/compiler/problems.js';
import { SHORTCUT_HELP, shortcutFor } from './shortcuts.js';
import { backgroundMenu, elementMenu as elementMenuOf, type MenuEntry } from './state/canvas-menu.js';
import { autosaveAction, documentText, editorReducer, initialEditor, isDirty } from './state/editor.js';
import { targetSaveRequest, type TargetForm } from './state/hosts.js';
import type { Preview } from './state/preview.js';
import { deployAction } from './state/run-start.js';
import { createStore, slice } from './state/store.js';
import type { StatusText } from './state/status.js';
import { Toolbar } from './Toolbar.js';
import { Workspace } from './Workspace.js';

const GRID = 25;
const NO_PROBES: readonly ProbeResult[] = [];
/** The preview before the worker's first answer. */
const COMPILING: Preview = { ok: true, up: '', down: '', warnings: [] };
/** Edit menu commands and what they do to a text field that has the focus. */
const TEXT_EDITS: Partial<Record<MenuCommand, string>> = { copy: 'copy', cut: 'cut', paste: 'paste', 'select-all': 'selectAll', undo: 'undo', redo: 'redo' };

type Prompt = { title: string; initial: string; recent?: string[]; resolve(path: string | null): void };

export function App({ api, startDoc, startPath = null }: { api: DesignerApi; startDoc: Doc; startPath?: string | null }) {
  // The editor's state lives in a store outside React, so an edit reaches the preview worker
  // before React renders it (state/store.ts).
  const [store] = useState(() => createStore(editorReducer, initialEditor(startDoc, startPath)));
  const [docSource] = useState(() => slice(store, (s) => s.history.present));
  const editor = useSyncExternalStore(store.subscribe, store.get);
  const dispatchEditor = store.dispatch;
  const doc = editor.history.present;
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [targets, setTargets] = useState<SavedTarget[]>([]);
  const terminals = useRef<TerminalPanelHandle>(null);
  const closeElementMenu = useCallback(() => setElementMenu(null), []);
  const [elementMenu, setElementMenu] = useState<{ items: MenuItem[]; at: { x: number; y: number } } | null>(null);
  const [showTargets, setShowTargets] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [linkMode, setLinkMode] = useState(false);
  const [gridOn, setGridOn] = useState(true);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const [recovery, setRecovery] = useState<{ text: string; path: string | null; savedAt: string } | null>(null);
  const clipboard = useRef<Clipboard | null>(null);
  const pasteCount = useRef(0);
  const canvas = useRef<CanvasHandle>(null);
  // Serialising the drawing is not free at hundreds of namespaces: once per change, not per render.
  const dirty = useMemo(() => isDirty(editor), [editor.history.present, editor.savedText]);

  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);
  const tell = useCallback((status: StatusText) => setStatus(status), []);
  const fail = useCallback((e: unknown) => say((e as Error).message, true), [say]);
  const dismissToast = useCallback(() => dispatchEditor({ type: 'dismiss' }), []);
  const dispatch = useCallback((command: EditorCommand, mergeKey?: string) => dispatchEditor({ type: 'command', command, ...(mergeKey !== undefined ? { mergeKey } : {}) }), []);

  // The live compile runs in a worker, so input and the canvas never wait for it; until its
  // first answer the drawing counts as compiling, with no problems and no script yet.
  const preview = usePreview(docSource);
  const compiled = preview ?? COMPILING;
  const problemsRef = useRef<readonly Problem[]>([]);
  problemsRef.current = keepSameProblems(problemsRef.current, compiled.ok ? compiled.warnings : compiled.problems);
  const problems = problemsRef.current;
  const errorCount = compiled.ok ? 0 : compiled.problems.filter((p) => p.severity === 'error').length;

  const docRef = useRef(doc);
  docRef.current = doc;
  const runs = useRunControl({ api, info, doc, path: editor.path, docRef, errorCount, targets, say, tell, fail });
  const { run, seen, target, hostKey, clearRun } = runs;

  const lastProbes = run && (run.action === 'verify' || run.action === 'up') ? run.probes : NO_PROBES;
  const elements = useMemo(
    () => canvasElements(doc, { problems, probes: lastProbes, failedElement: run?.failed?.step.element ?? null, ...(seen ? { drift: seen.drift, services: seen.services } : {}) }),
    [doc, problems, lastProbes, run?.failed, seen],
  );

  useEffect(() => {
    document.title = `${dirty ? '• ' : ''}${editor.path ? editor.path.split(/[\\/]/).pop() : doc.name} — Netns Designer`;
  }, [dirty, editor.path, doc.name]);

  // For the end-to-end tests: the document as the window holds it.
  useEffect(() => {
    (window as unknown as { __nsdDoc?: () => Doc }).__nsdDoc = () => doc;
  }, [doc]);

  useEffect(() => {
    if (editor.error) say(editor.error, true);
  }, [editor.error, say]);

  // Startup: what this window can do, the templates, saved hosts, and a drawing to recover.
  useEffect(() => {
    api.invoke('app:info', {}).then(setInfo, fail);
    api.invoke('templates:list', {}).then(setTemplates, fail);
    api.invoke('targets:list', {}).then(setTargets, fail);
    api.invoke('file:recovery', {}).then((r) => r && setRecovery(r), fail);
  }, [api, fail]);
  // Autosave a second after the last change; a crash loses at most that. Back at the saved
  // drawing (undo), the autosave goes, so the recovery banner never offers a stale drawing.
  const autosaved = useRef(false);
  useEffect(() => {
    const action = autosaveAction(dirty, autosaved.current);
    if (action === 'discard') {
      autosaved.current = false;
      void api.invoke('file:discard-recovery', {}).catch(() => undefined);
    }
    if (action !== 'save') return;
    const timer = setTimeout(() => {
      autosaved.current = true;
      void api.invoke('file:autosave', { text: documentText(doc), path: editor.path }).catch(() => undefined);
    }, 1000);
    return () => clearTimeout(timer);
  }, [api, doc, dirty, editor.path]);

  // The unsaved-changes guard for closing the window or tab.
  useEffect(() => {
    const guard = (e: BeforeUnloadEvent): void => {
      if (!dirty) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [dirty]);

  const askPath = useCallback(
    (title: string, initial: string, recent?: string[]): Promise<string | null> => new Promise((resolve) => setPrompt({ title, initial, resolve, ...(recent ? { recent } : {}) })),
    [],
  );
  /** undefined: let main show its native dialog; null: the user cancelled. */
  const pathFor = useCallback(
    async (title: string, initial: string, recent?: string[]): Promise<string | undefined | null> => (info?.nativeDialogs ? undefined : askPath(title, initial, recent)),
    [info, askPath],
  );

  const confirmDiscard = useCallback((): boolean => !dirty || window.confirm('The drawing has unsaved changes. Discard them?'), [dirty]);

  /** Puts a drawing (a file, a recovered one, a template) on the canvas: the last run's view goes, the view fits it. */
  const show = useCallback((next: Doc, path: string | null, dirtyAfter = false) => {
    dispatchEditor({ type: 'load', doc: next, path, dirty: dirtyAfter });
    clearRun();
    requestAnimationFrame(() => canvas.current?.fit());
  }, []);

  const load = useCallback(
    (text: string, path: string | null, dirtyAfter = false) => {
      let parsed: Doc;
      try {
        parsed = JSON.parse(text) as Doc;
      } catch (e) {
        say(`${path ?? 'the file'} is not JSON: ${(e as Error).message}`, true);
        return;
      }
      show(parsed, path, dirtyAfter);
      say(path ? `Opened ${path}` : 'Loaded');
    },
    [say, show],
  );

  const commands = useMemo(() => {
    const files = fileCommands({
      api,
      info,
      doc,
      path: editor.path,
      canvas: () => canvas.current,
      elements,
      compiles: compiled.ok,
      errorCount,
      pathFor,
      confirmDiscard,
      load,
      saved: (path, text) => dispatchEditor({ type: 'saved', path, text }),
      say,
    });
    const all: Record<MenuCommand, () => unknown> = {
      new: () => confirmDiscard() && dispatchEditor({ type: 'load', doc: emptyDocument(), path: null }),
      ...files,
      undo: () => dispatchEditor({ type: 'undo' }),
      redo: () => dispatchEditor({ type: 'redo' }),
      copy: () => {
        if (editor.selection.length === 0) return;
        clipboard.current = copySelection(doc, editor.selection);
        pasteCount.current = 0;
        say(`Copied ${editor.selection.length} element(s)`);
      },
      cut: () => {
        if (editor.selection.length === 0) return;
        clipboard.current = copySelection(doc, editor.selection);
        pasteCount.current = 0;
        dispatch({ type: 'delete', ids: editor.selection });
      },
      paste: () => {
        if (!clipboard.current) return;
        pasteCount.current++;
        dispatch({ type: 'paste', clipboard: clipboard.current, offset: { x: 2 * GRID * pasteCount.current, y: 2 * GRID * pasteCount.current } });
      },
      delete: () => editor.selection.length > 0 && dispatch({ type: 'delete', ids: editor.selection }),
      'select-all': () => dispatchEditor({ type: 'select', ids: [...(doc.nodes ?? []).map((n) => n.id), ...(doc.links ?? []).map((l) => l.id)] }),
      'zoom-in': () => canvas.current?.zoom(1.25),
      'zoom-out': () => canvas.current?.zoom(0.8),
      fit: () => canvas.current?.fit(),
      layout: () => {
        const positions = arrange(doc);
        dispatch({ type: 'move', moves: Object.entries(positions).map(([id, position]) => ({ id, position })) });
        requestAnimationFrame(() => canvas.current?.fit());
      },
      // Deploy asks lab.sh plan first: a running lab that the drawing changes shows the plan before it is applied.
      deploy: () => runs.start(deployAction(compiled.ok)),
      verify: () => runs.start('verify'),
      destroy: () => runs.start('down'),
      status: () => runs.start('status'),
    };
    return { all };
  }, [api, info, doc, editor.path, editor.selection, elements, compiled.ok, errorCount, runs.start, pathFor, confirmDiscard, load, dispatch, say]);

  // Keys and menu items act on what the user sees now. Listeners registered by an effect would
  // be swapped only after paint, so a Ctrl+C right after a Shift+click could copy the previous
  // selection; they read this, which is current before the browser paints.
  const latest = useRef({ commands, prompt, showTargets, hostKey, showHelp, info });
  useLayoutEffect(() => {
    latest.current = { commands, prompt, showTargets, hostKey, showHelp, info };
  });
  const runCommand = useCallback(
    (command: MenuCommand) => {
      Promise.resolve(latest.current.commands.all[command]()).catch(fail);
    },
    [fail],
  );

  // Menus (Electron) and the file a second launch asked to open.
  useEffect(() => {
    const offMenu = api.on('menu:command', ({ command }) => {
      // Edit menu items while typing in a field act on the text, as in any editor.
      const field = document.activeElement;
      const text = TEXT_EDITS[command];
      if (text && (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) {
        document.execCommand(text);
        return;
      }
      runCommand(command);
    });
    const offOpen = api.on('file:opened', ({ path, text }) => {
      if (confirmDiscard()) load(text, path);
    });
    return () => {
      offMenu();
      offOpen();
    };
  }, [api, runCommand, confirmDiscard, load]);

  // Keyboard shortcuts (in Electron the menu's accelerators deliver most of them instead).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      const { prompt, showTargets, hostKey, showHelp, info } = latest.current;
      if (prompt || showTargets || hostKey) return;
      if (showHelp) {
        if (e.key === 'Escape' || e.key === '?') setShowHelp(false);
        return;
      }
      if (e.key === 'Escape') {
        setLinkMode(false);
        dispatchEditor({ type: 'select', ids: [] });
        return;
      }
      const command = shortcutFor(e, typing);
      if (command === 'link-mode') {
        e.preventDefault();
        setLinkMode((m) => !m);
      } else if (command === 'grid') {
        e.preventDefault();
        setGridOn((g) => !g);
      } else if (command === 'help') {
        e.preventDefault();
        setShowHelp(true);
      } else if (command) {
        if (info?.mode === 'electron' && e.ctrlKey) return; // the menu accelerator handles it
        e.preventDefault();
        runCommand(command);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runCommand]);

  const addFromPalette = useCallback(
    (item: PaletteItem, position?: { x: number; y: number }) => {
      const taken = [...(doc.nodes ?? []), ...(doc.notes ?? [])].flatMap((n) => (n.position ? [n.position] : []));
      const at = position ?? freeSpot(snap(canvas.current?.viewCenter() ?? { x: 300, y: 200 }, GRID), taken);
      if (item.kind === 'note') dispatch({ type: 'addNote', position: at });
      else dispatch({ type: 'addNode', kind: item.kind, position: at, ...(item.router ? { router: true } : {}) });
    },
    [dispatch, doc.nodes],
  );

  const blocked = errorCount > 0 ? `Deploy is blocked: the drawing has ${errorCount} error(s) (see Problems). Destroy, Status and Verify act on the lab's record on the host.` : null;

  const menuEntry = (entry: MenuEntry, position: { x: number; y: number } | null): MenuItem => ({
    label: entry.label,
    run: () => {
      if (entry.do === 'add') {
        const item = PALETTE.find((p) => paletteKey(p) === entry.palette);
        if (item) addFromPalette(item, position ? snap(position, GRID) : undefined);
      } else if (entry.do === 'command') runCommand(entry.command);
      else if (entry.do === 'terminal') terminals.current?.open(entry.node);
      else if (entry.do === 'capture') for (const end of entry.ends) terminals.current?.capture(entry.link, end);
      else if (entry.do === 'edit') {
        dispatchEditor({ type: 'select', ids: [entry.id] });
        focusField(entry.field);
      } else dispatch({ type: 'delete', ids: [entry.id] });
    },
  });

  return (
    <div className="app">
      <Toolbar
        canUndo={editor.history.past.length > 0}
        canRedo={editor.history.future.length > 0}
        linkMode={linkMode}
        gridOn={gridOn}
        templates={templates}
        docState={dirty ? 'unsaved changes' : editor.path ? 'saved' : ''}
        onCommand={runCommand}
        onLinkMode={() => setLinkMode((m) => !m)}
        onGrid={() => setGridOn((g) => !g)}
        onTemplate={(t) => confirmDiscard() && show(t.doc as Doc, null)}
        onHelp={() => setShowHelp(true)}
      />
      {recovery && (
        <div className="banner" data-testid="recovery">
          A drawing from {new Date(recovery.savedAt).toLocaleString()} was not saved{recovery.path ? ` (${recovery.path})` : ''}.
          <button type="button" onClick={() => { load(recovery.text, recovery.path, true); setRecovery(null); }}>Restore it</button>
          <button type="button" onClick={() => { void api.invoke('file:discard-recovery', {}); setRecovery(null); }}>Discard</button>
        </div>
      )}
      <Workspace
        palette={<Palette onAdd={(item) => addFromPalette(item)} />}
        canvas={
          <main className="canvas-area">
            <Canvas
              handle={canvas}
              nodes={elements.nodes}
              edges={elements.edges}
              selection={editor.selection}
              linkMode={linkMode}
              grid={gridOn ? GRID : 0}
              onSelect={(ids) => dispatchEditor({ type: 'select', ids })}
              onMove={(moves) => dispatch({ type: 'move', moves })}
              onConnect={(from, to) => dispatch({ type: 'connect', from, to })}
              onDropKind={(kind, position) => {
                const item = PALETTE.find((p) => paletteKey(p) === kind);
                if (item) addFromPalette(item, position);
              }}
              onElementGesture={(gesture, id, at) => {
                const shell = nodeHasShell((doc.nodes ?? []).find((n) => n.id === id)?.kind);
                if (gesture === 'open' && shell) terminals.current?.open(id);
                if (gesture !== 'menu') return;
                setElementMenu({ at, items: elementMenuOf(doc, id).map((e) => menuEntry(e, null)) });
              }}
              onBackgroundMenu={(at, position) => {
                const entries = backgroundMenu(
                  PALETTE.map((p) => ({ key: paletteKey(p), label: p.label })),
                  { canPaste: clipboard.current !== null, empty: (doc.nodes ?? []).length + (doc.notes ?? []).length === 0 },
                );
                setElementMenu({ at, items: entries.map((e) => menuEntry(e, position)) });
              }}
            />
            <Toast error={editor.error} notice={editor.notice} onUndo={() => dispatchEditor({ type: 'undo' })} onDismiss={dismissToast} />
            <TerminalPanel api={api} doc={doc} target={target} handle={terminals} pathFor={pathFor} say={say} onDock={() => requestAnimationFrame(() => requestAnimationFrame(() => canvas.current?.fit()))} />
            {(doc.nodes ?? []).length === 0 && <p className="empty-hint">Drag a Namespace or a Bridge from the palette onto the canvas (or right-click the canvas), then draw links with Link (L).</p>}
          </main>
        }
        side={
          <aside className="side">
            <Properties doc={doc} selection={editor.selection} problems={problems} dispatch={dispatch} />
          </aside>
        }
        problems={
          <Problems
            problems={problems}
            onFix={(command) => dispatch(command)}
            onSelect={(id) => {
              dispatchEditor({ type: 'select', ids: [id] });
              canvas.current?.center(id);
            }}
          />
        }
        script={
          <ScriptPanel
            up={preview?.ok ? preview.up : null}
            down={preview?.ok ? preview.down : null}
            compiling={preview === null}
            doc={doc}
            compiles={compiled.ok}
            onExport={() => runCommand('export-script')}
            onExportPlain={() => runCommand('export-plain')}
            onCopied={(text) => navigator.clipboard.writeText(text).then(() => say('Copied to the clipboard'), fail)}
          />
        }
        run={(whole, toggleWhole) => (
          <RunPanel
            whole={whole}
            onToggleWhole={toggleWhole}
            targets={targets}
            labs={runs.labs}
            labAvailable={info?.lab.available ?? false}
            target={target}
            run={run}
            plan={runs.pendingPlan}
            onApply={runs.apply}
            running={run !== null && run.finished === null}
            blocked={blocked}
            onTarget={runs.setTarget}
            onRun={(action) => void runs.start(action === 'up' ? deployAction(compiled.ok) : action).catch(fail)}
            onCancel={runs.cancel}
            onManageTargets={() => setShowTargets(true)}
            labBusy={runs.labBusy}
            onLab={runs.toggleLab}
            onNewLab={runs.newLab}
            onRefreshLabs={runs.refreshLabs}
          />
        )}
        status={status?.text ?? 'Ready'}
        statusError={status?.error ?? false}
      />
      {elementMenu && <ElementMenu {...elementMenu} onClose={closeElementMenu} />}
      {hostKey && <HostKeyPrompt {...hostKey} onAnswer={runs.answerHostKey} />}
      {showHelp && (
        <Modal title="Keyboard shortcuts" onClose={() => setShowHelp(false)} testId="shortcuts">
          <table className="shortcuts">
            <tbody>
              {SHORTCUT_HELP.map(([keys, what]) => (
                <tr key={keys}>
                  <th scope="row">
                    <kbd>{keys}</kbd>
                  </th>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="buttons">
            <button type="button" className="primary" onClick={() => setShowHelp(false)}>
              Close
            </button>
          </div>
        </Modal>
      )}
      {showTargets && (
        <TargetsDialog
          targets={targets}
          secrets={info?.secrets}
          onClose={() => setShowTargets(false)}
          onRemove={(id) => void api.invoke('targets:remove', { id }).then(() => api.invoke('targets:list', {}).then(setTargets), fail)}
          onSave={async (form: TargetForm) => {
            try {
              const saved = await api.invoke('targets:save', targetSaveRequest(form));
              setTargets(await api.invoke('targets:list', {}));
              runs.setTarget({ kind: 'ssh', id: saved.id });
              return null;
            } catch (e) {
              return (e as Error).message;
            }
          }}
        />
      )}
      {prompt && (
        <PathPrompt
          title={prompt.title}
          initial={prompt.initial}
          {...(prompt.recent ? { recent: prompt.recent } : {})}
          {...(info?.workspace ? { workspace: info.workspace } : {})}
          onAnswer={(path) => {
            prompt.resolve(path);
            setPrompt(null);
          }}
        />
      )}
    </div>
  );
}
