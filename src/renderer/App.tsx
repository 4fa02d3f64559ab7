/**
 * The designer: palette, canvas, properties, problems, the live script and the run view, wired
 * to the editor state and to main's services through the DesignerApi. Deciding code lives in
 * src/shared (compiler, editor commands) and ./state (pure reducers); this file wires them up.
 */
import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { compile, compilePreview } from '../shared/compiler/index.js';
import { copySelection, emptyDocument, type Clipboard, type Doc, type EditorCommand } from '../shared/document/commands.js';
import { freeSpot, snap } from '../shared/document/layout.js';
import { DEFAULT_LAB_NAME, type AppInfo, type DesignerApi, type LabState, type MenuCommand, type SavedTarget, type TargetRef, type Template } from '../shared/ipc/contract.js';
import type { DesignerAction, ProbeResult } from '../shared/deploy/events.js';
import { rediagnose } from '../shared/deploy/diagnose.js';
import { inspectSummary } from '../shared/deploy/inspect.js';
import { recordLines } from '../shared/compiler/steps.js';
import { arrange } from './canvas/arrange.js';
import { Canvas, type CanvasHandle } from './canvas/Canvas.js';
import { ThemeToggle } from './ThemeToggle.js';
import { canvasElements } from './canvas/elements.js';
import { drawingSvg } from './export/svg.js';
import { HostKeyPrompt, Modal, PathPrompt, TargetsDialog, type TargetForm } from './panels/Dialogs.js';
import { Palette, PALETTE, type PaletteItem } from './panels/Palette.js';
import { Problems } from './panels/Problems.js';
import { Properties } from './panels/Properties.js';
import { RunPanel } from './panels/RunPanel.js';
import { ScriptPanel } from './panels/ScriptPanel.js';
import { Toast } from './panels/Toast.js';
import { autosaveAction, documentText, editorReducer, initialEditor, isDirty } from './state/editor.js';
import { labTargetLabel, sortLabs, withLabState } from './state/lab-hosts.js';
import { runCutOff, runReducer, startRun, type RunView } from './state/run.js';
import { afterRun, type PlanChange, type PlanSummary } from './state/plan.js';
import { keepSameProblems } from './state/problems.js';
import type { Problem } from '../shared/compiler/problems.js';
import { driftOnDrawing, inspectOfRun } from './state/drift.js';
import { labBusyStatus, labDoneStatus, runStatus, SERVER_GONE, type StatusText } from './state/status.js';
import { SHORTCUT_HELP, shortcutFor } from './shortcuts.js';
import { nodeHasShell } from '../shared/live/remote-commands.js';
import { ElementMenu, type MenuItem } from './live/ElementMenu.js';
import { TerminalPanel, type TerminalPanelHandle } from './live/TerminalPanel.js';

const GRID = 25;
const NO_PROBES: readonly ProbeResult[] = [];
/** Edit menu commands and what they do to a text field that has the focus. */
const TEXT_EDITS: Partial<Record<MenuCommand, string>> = { copy: 'copy', cut: 'cut', paste: 'paste', 'select-all': 'selectAll', undo: 'undo', redo: 'redo' };

type Prompt = { title: string; initial: string; recent?: string[]; resolve(path: string | null): void };

export function App({ api, startDoc, startPath = null }: { api: DesignerApi; startDoc: Doc; startPath?: string | null }) {
  const [editor, dispatchEditor] = useReducer(editorReducer, startDoc, (doc) => initialEditor(doc, startPath));
  const doc = editor.history.present;
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [targets, setTargets] = useState<SavedTarget[]>([]);
  const [target, setTarget] = useState<TargetRef | null>(null);
  const [labs, setLabs] = useState<LabState[]>([]);
  const setLab = useCallback((state: LabState) => setLabs((all) => withLabState(all, state)), []);
  const terminals = useRef<TerminalPanelHandle>(null);
  const closeElementMenu = useCallback(() => setElementMenu(null), []);
  const [elementMenu, setElementMenu] = useState<{ items: MenuItem[]; at: { x: number; y: number } } | null>(null);
  const [labBusy, setLabBusy] = useState(false);
  const [run, setRun] = useState<RunView | null>(null);
  // A plan that changes the running lab, waiting for Apply; and what inspect saw (painted on the canvas).
  const [pendingPlan, setPendingPlan] = useState<PlanSummary | null>(null);
  const [seen, setSeen] = useState<ReturnType<typeof driftOnDrawing> | null>(null);
  // The inspect that follows Verify and Status runs unseen: its report adds to the run it follows.
  const inspectRef = useRef<RunView | null>(null);
  const [hostKey, setHostKey] = useState<{ runId: string; host: string; port: number; fingerprint: string } | null>(null);
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
  const runRef = useRef<RunView | null>(null);
  runRef.current = run;
  const labRef = useRef<LabState | undefined>(undefined);
  labRef.current = target?.kind === 'lab' ? labs.find((l) => l.name === target.name) : undefined;
  // Serialising the drawing is not free at hundreds of namespaces: once per change, not per render.
  const dirty = useMemo(() => isDirty(editor), [editor.history.present, editor.savedText]);

  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);
  const tell = useCallback((status: StatusText) => setStatus(status), []);
  const fail = useCallback((e: unknown) => say((e as Error).message, true), [say]);
  const dismissToast = useCallback(() => dispatchEditor({ type: 'dismiss' }), []);
  const dispatch = useCallback((command: EditorCommand, mergeKey?: string) => dispatchEditor({ type: 'command', command, ...(mergeKey !== undefined ? { mergeKey } : {}) }), []);

  // The live compile follows the document a frame behind typing, so input never waits for it.
  const deferred = useDeferredValue(doc);
  const compiled = useMemo(() => compilePreview(deferred), [deferred]);
  // The whole lab.sh (with the verify probes) only when someone looks at it or copies it.
  const fullScript = useCallback((): string | null => {
    const full = compile(deferred, { source: `${deferred.name}.json` });
    return full.ok ? full.script : null;
  }, [deferred]);
  const problemsRef = useRef<readonly Problem[]>([]);
  problemsRef.current = keepSameProblems(problemsRef.current, compiled.ok ? compiled.warnings : compiled.problems);
  const problems = problemsRef.current;
  const errorCount = compiled.ok ? 0 : compiled.problems.filter((p) => p.severity === 'error').length;

  const lastProbes = run && (run.action === 'verify' || run.action === 'up') ? run.probes : NO_PROBES;
  const elements = useMemo(
    () => canvasElements(doc, { problems, probes: lastProbes, failedElement: run?.failed?.step.element ?? null, ...(seen ? { drift: seen.drift } : {}) }),
    [doc, problems, lastProbes, run?.failed, seen],
  );
  const docRef = useRef(doc);
  docRef.current = doc;

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
  useEffect(() => {
    if (!info?.lab.available) return;
    api.invoke('lab:list', {}).then((all) => setLabs(sortLabs(all)), fail);
    // Where the sandbox lab host can run, it is the target until the user picks another.
    setTarget((t) => t ?? { kind: 'lab', name: DEFAULT_LAB_NAME });
  }, [api, info, fail]);

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
    setRun(null);
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
    const save = async (as: boolean): Promise<void> => {
      const text = documentText(doc);
      let path: string | undefined | null = as ? undefined : (editor.path ?? undefined);
      if (path === undefined) path = await pathFor('Save the drawing as', `${doc.name}.json`);
      if (path === null) return;
      const saved = await api.invoke('file:save', { text, suggestedName: `${doc.name}.json`, ...(path !== undefined ? { path } : {}) });
      if (!saved) return;
      dispatchEditor({ type: 'saved', path: saved.path, text });
      await api.invoke('file:discard-recovery', {});
      say(`Saved ${saved.path}`);
    };
    const exportImage = async (format: 'png' | 'svg'): Promise<void> => {
      const data =
        format === 'png'
          ? (canvas.current?.png() ?? '')
          : drawingSvg(elements.nodes.map((n) => ({ ...n, position: canvas.current?.snapshot().nodes.find((s) => s.id === n.id) ?? n.position })), elements.edges);
      const path = await pathFor(`Export the drawing as ${format.toUpperCase()}`, `${doc.name}.${format}`);
      if (path === null) return;
      const done = await api.invoke('export:image', { format, data, suggestedName: `${doc.name}.${format}`, ...(path !== undefined ? { path } : {}) });
      if (done) say(`Exported ${done.path}`);
    };
    const exportScript = async (plain: boolean): Promise<void> => {
      if (!compiled.ok) return say(`Fix the ${errorCount} error(s) in the problems list before exporting the script.`, true);
      const path = await pathFor(plain ? 'Export the plain commands as' : 'Export the script as', `${doc.name}${plain ? '-plain' : ''}.sh`);
      if (path === null) return;
      const done = await api.invoke('export:script', { doc, ...(path !== undefined ? { path } : {}), ...(plain ? { plain } : {}) });
      const file = done?.path.split(/[\\/]/).pop();
      if (done) say(plain ? `Exported ${done.path} (plain commands for reading; lab.sh is the script to run)` : `Exported ${done.path} (run it with: sudo bash ${file} up)`);
    };
    const run = async (asked: DesignerAction, earlier: RunView['lines'] = [], options: { changes?: PlanChange[]; unseen?: boolean } = {}): Promise<void> => {
      if (!target) return say('Choose a host to run on first.', true);
      // With errors in the drawing, Status and Verify show what the lab's record on the host has (inspect).
      const action = errorCount > 0 && (asked === 'status' || asked === 'verify') ? 'inspect' : asked;
      if (!options.unseen) {
        // The inspect that follows Verify or Status holds the host for a moment: wait for it.
        for (let i = 0; inspectRef.current && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
        setPendingPlan(null);
        if (action !== 'inspect') setSeen(null);
      }
      // Held from before the request, so that a run asked for meanwhile waits for it (above).
      if (options.unseen) inspectRef.current = startRun('', action, '');
      if (target.kind === 'lab' && (action === 'up' || action === 'plan') && labRef.current?.state !== 'healthy') {
        // Deploying to the sandbox lab host starts it first: trying the app needs no extra step.
        setLabBusy(true);
        tell(labBusyStatus('up', target.name));
        try {
          const started = await api.invoke('lab:up', { name: target.name });
          setLab(started);
          tell(labDoneStatus(started, 'up'));
        } finally {
          setLabBusy(false);
        }
      }
      const started = await api.invoke('run:start', { doc, target, action }).catch((e: unknown) => {
        if (options.unseen) inspectRef.current = null;
        throw e;
      });
      if (!started.ok) {
        // The inspect that follows Verify and Status adds to them; when it cannot start, they stand as they are.
        if (options.unseen) inspectRef.current = null;
        else say(started.message, true);
        return;
      }
      const view = startRun(started.runId, action, target.kind === 'lab' ? labTargetLabel(target.name, undefined, String) : (targets.find((t) => t.id === target.id)?.label ?? target.id), Date.now(), earlier);
      if (options.changes) view.changes = options.changes;
      if (options.unseen) {
        inspectRef.current = view;
        return;
      }
      // Events of a quick run (a plan) can come before the next render.
      runRef.current = view;
      setRun(view);
      tell(runStatus(view));
    };
    const all: Record<MenuCommand, () => unknown> = {
      new: () => confirmDiscard() && dispatchEditor({ type: 'load', doc: emptyDocument(), path: null }),
      open: async () => {
        if (!confirmDiscard()) return;
        // Without native dialogs (and their Open Recent menu) the prompt lists the recent files.
        const recent = info?.nativeDialogs ? undefined : await api.invoke('file:recent', {}).catch(() => []);
        const path = await pathFor('Open a drawing', '', recent);
        if (path === null) return;
        const file = await api.invoke('file:open', path !== undefined ? { path } : {});
        if (file) load(file.text, file.path);
      },
      save: () => save(false),
      'save-as': () => save(true),
      'export-script': () => exportScript(false),
      'export-plain': () => exportScript(true),
      'export-png': () => exportImage('png'),
      'export-svg': () => exportImage('svg'),
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
      deploy: () => run(compiled.ok ? 'plan' : 'up'),
      verify: () => run('verify'),
      destroy: () => run('down'),
      status: () => run('status'),
    };
    return { all, run };
  }, [api, info, doc, editor.path, editor.selection, elements, compiled.ok, errorCount, target, targets, pathFor, confirmDiscard, load, dispatch, say, tell]);

  /** What inspect saw: the canvas paints the drift, the failed probes are diagnosed again and the run view gets the summary. */
  const showInspect = useCallback((view: RunView) => {
    const report = inspectOfRun(view);
    if (!report) return;
    const d = driftOnDrawing(report, docRef.current);
    setSeen(d);
    const full = compile(docRef.current);
    const planned = full.ok ? full.probes : [];
    setRun((current) =>
      current ? { ...current, probes: rediagnose(current.probes, planned, d.live), lines: [...current.lines, ...inspectSummary(report).slice(1).map((text) => ({ stream: 'info' as const, text: `inspect: ${text}` }))] } : current,
    );
  }, []);

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

  // Run events: fold into the run view; after a good deploy, verify it.
  useEffect(() => {
    const offEvent = api.on('run:event', ({ runId, event }) => {
      const unseen = inspectRef.current;
      if (unseen?.runId === runId) {
        inspectRef.current = runReducer(unseen, event);
        if (event.type === 'finished') {
          inspectRef.current = null;
          showInspect(runReducer(unseen, event));
        }
        return;
      }
      const current = runRef.current;
      if (current?.runId !== runId) return;
      const done = runReducer(current, event);
      runRef.current = done;
      setRun((shown) => (shown && shown.runId === runId ? runReducer(shown, event) : shown));
      if (event.type === 'finished') {
        if (done.action === 'inspect') showInspect(done);
        const full = compile(docRef.current);
        const next = afterRun(done, full.ok ? recordLines(full.up).length : 0);
        // The deploy's output stays above the verification that follows it.
        if (next.kind === 'run' && next.action === 'verify') void commands.run('verify', [...current.lines, { stream: 'info', text: '— verify —' }], current.changes ? { changes: current.changes } : {}).catch(fail);
        if (next.kind === 'run' && next.action === 'up') void commands.run('up', [...done.lines, { stream: 'info', text: '— deploy —' }]).catch(fail);
        if (next.kind === 'run' && next.action === 'inspect') void commands.run('inspect', [], { unseen: true }).catch(fail);
        if (next.kind === 'confirm') setPendingPlan(next.plan);
        if (target?.kind === 'lab') void api.invoke('lab:status', { name: target.name }).then(setLab, () => undefined);
      }
    });
    const offKey = api.on('run:host-key-prompt', (p) => setHostKey(p));
    return () => {
      offEvent();
      offKey();
    };
  }, [api, commands, target, fail, tell, showInspect]);

  // The browser entry's server stopped: say so at once, and end a run whose events can no longer come.
  useEffect(
    () =>
      api.onServerGone?.(() => {
        tell({ text: SERVER_GONE, error: true });
        setRun((current) => (current ? runCutOff(current) : current));
      }),
    [api, tell],
  );

  // A finished run replaces whatever the status bar said while it ran (once: `finished` is set once per run).
  const finishedRun = run?.finished ? run : null;
  useEffect(() => {
    if (finishedRun) tell(runStatus(finishedRun));
  }, [finishedRun?.runId, finishedRun?.finished, tell]);

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

  return (
    <div className="app">
      <header className="toolbar">
        <strong className="brand">Netns Designer</strong>
        <button type="button" onClick={() => runCommand('new')} title="New (Ctrl+N)" data-testid="new">New</button>
        <button type="button" onClick={() => runCommand('open')} title="Open (Ctrl+O)" data-testid="open">Open…</button>
        <button type="button" onClick={() => runCommand('save')} title="Save (Ctrl+S)" data-testid="save">Save</button>
        <button type="button" onClick={() => runCommand('save-as')} title="Save as (Ctrl+Shift+S)">Save as…</button>
        <span className="sep" />
        <button type="button" onClick={() => runCommand('undo')} disabled={editor.history.past.length === 0} title="Undo (Ctrl+Z)" data-testid="undo">Undo</button>
        <button type="button" onClick={() => runCommand('redo')} disabled={editor.history.future.length === 0} title="Redo (Ctrl+Shift+Z)" data-testid="redo">Redo</button>
        <span className="sep" />
        <button type="button" className={linkMode ? 'active' : ''} onClick={() => setLinkMode((m) => !m)} title="Draw links: press on a node, release on another (L)" data-testid="link-mode">Link</button>
        <button type="button" onClick={() => runCommand('layout')} title="Auto-layout (Ctrl+L)" data-testid="layout">Layout</button>
        <button type="button" onClick={() => runCommand('fit')} title="Fit (F)">Fit</button>
        <button type="button" className={gridOn ? 'active' : ''} onClick={() => setGridOn((g) => !g)} title="Snap to grid (G)">Grid</button>
        <span className="sep" />
        <label className="templates">
          <select
            data-testid="templates"
            value=""
            onChange={(e) => {
              const t = templates.find((x) => x.id === e.target.value);
              if (t && confirmDiscard()) show(t.doc as Doc, null);
            }}
          >
            <option value="">Templates…</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id} title={t.description}>
                {t.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => runCommand('export-png')} data-testid="export-png">PNG</button>
        <button type="button" onClick={() => runCommand('export-svg')} data-testid="export-svg">SVG</button>
        <span className="spacer" />
        <button type="button" onClick={() => setShowHelp(true)} title="Keyboard shortcuts (?)" data-testid="help">
          ?
        </button>
        <ThemeToggle />
        <span className="doc-state" data-testid="doc-state">{dirty ? 'unsaved changes' : editor.path ? 'saved' : ''}</span>
      </header>
      {recovery && (
        <div className="banner" data-testid="recovery">
          A drawing from {new Date(recovery.savedAt).toLocaleString()} was not saved{recovery.path ? ` (${recovery.path})` : ''}.
          <button type="button" onClick={() => { load(recovery.text, recovery.path, true); setRecovery(null); }}>Restore it</button>
          <button type="button" onClick={() => { void api.invoke('file:discard-recovery', {}); setRecovery(null); }}>Discard</button>
        </div>
      )}
      <Palette onAdd={(item) => addFromPalette(item)} />
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
            const item = PALETTE.find((p) => (p.router ? 'router' : p.kind) === kind);
            if (item) addFromPalette(item, position);
          }}
          onElementGesture={(gesture, id, at) => {
            const shell = nodeHasShell((doc.nodes ?? []).find((n) => n.id === id)?.kind);
            if (gesture === 'open' && shell) terminals.current?.open(id);
            if (gesture !== 'menu') return;
            const link = (doc.links ?? []).find((l) => l.id === id);
            const items: MenuItem[] = shell ? [{ label: 'Open terminal', run: () => terminals.current?.open(id) }] : [];
            if (link) {
              items.push({ label: `Capture on end a (${link.a.node})`, run: () => terminals.current?.capture(id, 'a') });
              items.push({ label: `Capture on end b (${link.b.node})`, run: () => terminals.current?.capture(id, 'b') });
              items.push({ label: 'Capture on both ends', run: () => (terminals.current?.capture(id, 'a'), terminals.current?.capture(id, 'b')) });
            }
            setElementMenu({ at, items });
          }}
        />
        <Toast error={editor.error} notice={editor.notice} onUndo={() => dispatchEditor({ type: 'undo' })} onDismiss={dismissToast} />
        <TerminalPanel api={api} doc={doc} target={target} handle={terminals} pathFor={pathFor} say={say} onDock={() => requestAnimationFrame(() => requestAnimationFrame(() => canvas.current?.fit()))} />
        {(doc.nodes ?? []).length === 0 && <p className="empty-hint">Drag a Namespace or a Bridge from the palette onto the canvas, then draw links with Link (L).</p>}
      </main>
      <aside className="side">
        <Properties doc={doc} selection={editor.selection} problems={problems} dispatch={dispatch} />
      </aside>
      <section className="bottom">
        <Problems
          problems={problems}
          onFix={(command) => dispatch(command)}
          onSelect={(id) => {
            dispatchEditor({ type: 'select', ids: [id] });
            canvas.current?.center(id);
          }}
        />
        <ScriptPanel
          up={compiled.ok ? compiled.up : null}
          down={compiled.ok ? compiled.down : null}
          fullScript={compiled.ok ? fullScript : null}
          onExport={() => runCommand('export-script')}
          onExportPlain={() => runCommand('export-plain')}
          onCopied={(text) => navigator.clipboard.writeText(text).then(() => say('Copied to the clipboard'), fail)}
        />
        <RunPanel
          targets={targets}
          labs={labs}
          labAvailable={info?.lab.available ?? false}
          target={target}
          run={run}
          plan={pendingPlan}
          onApply={() => {
            const plan = pendingPlan;
            if (plan && run) void commands.run('up', [...run.lines, { stream: 'info', text: '— apply —' }], { changes: plan.changes }).catch(fail);
          }}
          running={run !== null && run.finished === null}
          blocked={blocked}
          onTarget={setTarget}
          onRun={(action) => void commands.run(action === 'up' && compiled.ok ? 'plan' : action).catch(fail)}
          onCancel={() => run && void api.invoke('run:cancel', { runId: run.runId })}
          onManageTargets={() => setShowTargets(true)}
          labBusy={labBusy}
          onLab={(action) => {
            if (target?.kind !== 'lab') return;
            setLabBusy(true);
            tell(labBusyStatus(action, target.name));
            api
              .invoke(action === 'up' ? 'lab:up' : 'lab:down', { name: target.name })
              .then((s) => {
                setLab(s);
                tell(labDoneStatus(s, action));
              }, fail)
              .finally(() => setLabBusy(false));
          }}
          onNewLab={(name) => {
            setLabBusy(true);
            tell(labBusyStatus('up', name));
            api
              .invoke('lab:up', { name })
              .then((s) => {
                setLab(s);
                setTarget({ kind: 'lab', name: s.name });
                tell(labDoneStatus(s, 'up'));
              }, fail)
              .finally(() => setLabBusy(false));
          }}
          onRefreshLabs={() => void api.invoke('lab:list', {}).then((all) => setLabs(sortLabs(all)), () => undefined)}
        />
      </section>
      {elementMenu && <ElementMenu {...elementMenu} onClose={closeElementMenu} />}
      <footer className={`status${status?.error ? ' error' : ''}`} data-testid="status-bar" role="status">
        {status?.text ?? 'Ready'}
      </footer>
      {hostKey && (
        <HostKeyPrompt
          {...hostKey}
          onAnswer={(trust) => {
            void api.invoke('run:host-key', { runId: hostKey.runId, trust });
            setHostKey(null);
          }}
        />
      )}
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
              const saved = await api.invoke('targets:save', {
                ...(form.id ? { id: form.id } : {}),
                label: form.label,
                host: form.host,
                sudo: form.sudo,
                ...(form.identityFile ? { identityFile: form.identityFile } : {}),
                ...(form.socket ? { socket: form.socket } : {}),
                ...(form.password ? { password: form.password } : {}),
                ...(form.passphrase ? { passphrase: form.passphrase } : {}),
                ...(form.sudoPassword ? { sudoPassword: form.sudoPassword } : {}),
              });
              setTargets(await api.invoke('targets:list', {}));
              setTarget({ kind: 'ssh', id: saved.id });
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
