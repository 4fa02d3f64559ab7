/**
 * Running the drawing on a target: the target and the lab hosts, the run view, the plan waiting
 * for Apply, what inspect saw, and the host-key question. Runs start here; their events fold
 * into the run view, and the run that follows a finished one starts by itself (decided by
 * state/run-start.ts and state/plan.ts, which are pure and tested; this hook carries it out).
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { compile } from '../shared/compiler/index.js';
import { recordLines } from '../shared/compiler/steps.js';
import type { Doc } from '../shared/document/commands.js';
import { rediagnose } from '../shared/deploy/diagnose.js';
import type { DesignerAction } from '../shared/deploy/events.js';
import { inspectSummary } from '../shared/deploy/inspect.js';
import { DEFAULT_LAB_NAME, drawingFile, type AppInfo, type DesignerApi, type LabState, type SavedTarget, type TargetRef } from '../shared/ipc/contract.js';
import { driftOnDrawing, inspectOfRun } from './state/drift.js';
import { sortLabs, withLabState } from './state/lab-hosts.js';
import { afterRun, type PlanSummary } from './state/plan.js';
import { runCutOff, runReducer, startRun, type RunView } from './state/run.js';
import { effectiveAction, followUp, runTargetLabel, startsLabFirst, type FollowUp } from './state/run-start.js';
import { labBusyStatus, labDoneStatus, runStatus, SERVER_GONE, type StatusText } from './state/status.js';

/** How long a run the user asks for waits for the cancelled inspect that followed Verify or Status to end. */
const INSPECT_WAIT_MS = 30_000;

export interface RunControlDeps {
  api: DesignerApi;
  info: AppInfo | null;
  doc: Doc;
  /** Where the drawing is saved (null: never saved): its file name goes with each run, for lab.sh to record. */
  path: string | null;
  /** The drawing now (run events arrive between renders). */
  docRef: RefObject<Doc>;
  errorCount: number;
  targets: readonly SavedTarget[];
  say(text: string, error?: boolean): void;
  tell(status: StatusText): void;
  fail(e: unknown): void;
}

export function useRunControl({ api, info, doc, path, docRef, errorCount, targets, say, tell, fail }: RunControlDeps) {
  const [target, setTarget] = useState<TargetRef | null>(null);
  const [labs, setLabs] = useState<LabState[]>([]);
  const setLab = useCallback((state: LabState) => setLabs((all) => withLabState(all, state)), []);
  const [labBusy, setLabBusy] = useState(false);
  const [run, setRun] = useState<RunView | null>(null);
  // A plan that changes the running lab, waiting for Apply; and what inspect saw (painted on the canvas).
  const [pendingPlan, setPendingPlan] = useState<PlanSummary | null>(null);
  const [seen, setSeen] = useState<ReturnType<typeof driftOnDrawing> | null>(null);
  // The inspect that follows Verify and Status runs unseen: its report adds to the run it follows.
  const inspectRef = useRef<RunView | null>(null);
  const [hostKey, setHostKey] = useState<{ runId: string; host: string; port: number; fingerprint: string } | null>(null);
  const runRef = useRef<RunView | null>(null);
  runRef.current = run;
  const labRef = useRef<LabState | undefined>(undefined);
  labRef.current = target?.kind === 'lab' ? labs.find((l) => l.name === target.name) : undefined;

  useEffect(() => {
    if (!info?.lab.available) return;
    api.invoke('lab:list', {}).then((all) => setLabs(sortLabs(all)), fail);
    // Where the sandbox lab host can run, it is the target until the user picks another.
    setTarget((t) => t ?? { kind: 'lab', name: DEFAULT_LAB_NAME });
  }, [api, info, fail]);

  const start = useCallback(
    async (asked: DesignerAction, earlier: RunView['lines'] = [], options: FollowUp['options'] = {}): Promise<void> => {
      if (!target) return say('Choose a host to run on first.', true);
      const action = effectiveAction(asked, errorCount);
      if (!options.unseen) {
        // The inspect that follows Verify or Status holds the host; it is only a look, so a run the
        // user asks for cancels it (once it has a run id), then waits for its end.
        let cancelled = '';
        for (let i = 0; inspectRef.current && i < INSPECT_WAIT_MS / 100; i++) {
          const runId = inspectRef.current.runId;
          if (runId !== '' && runId !== cancelled) {
            cancelled = runId;
            void api.invoke('run:cancel', { runId }).catch(() => undefined);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        setPendingPlan(null);
        if (action !== 'inspect') setSeen(null);
      }
      // Held from before the request, so that a run asked for meanwhile waits for it (above).
      if (options.unseen) inspectRef.current = startRun('', action, '');
      if (target.kind === 'lab' && startsLabFirst(target, action, labRef.current)) {
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
      const source = drawingFile(path);
      const started = await api.invoke('run:start', { doc, target, action, ...(source !== undefined ? { source } : {}) }).catch((e: unknown) => {
        if (options.unseen) inspectRef.current = null;
        throw e;
      });
      if (!started.ok) {
        // The inspect that follows Verify and Status adds to them; when it cannot start, they stand as they are.
        if (options.unseen) inspectRef.current = null;
        else say(started.message, true);
        return;
      }
      const view = startRun(started.runId, action, runTargetLabel(target, targets), Date.now(), earlier);
      if (options.changes) view.changes = options.changes;
      if (options.unseen) {
        inspectRef.current = view;
        return;
      }
      // Events of a quick run (a plan) can come before the next render.
      runRef.current = view;
      setRun(view);
      tell(runStatus(view));
    },
    [api, doc, path, target, targets, errorCount, say, tell, setLab],
  );

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
        const then = followUp(next, current, done);
        if (then) void start(then.action, then.earlier, then.options).catch(fail);
        if (next.kind === 'confirm') setPendingPlan(next.plan);
        if (target?.kind === 'lab') void api.invoke('lab:status', { name: target.name }).then(setLab, () => undefined);
      }
    });
    const offKey = api.on('run:host-key-prompt', (p) => setHostKey(p));
    return () => {
      offEvent();
      offKey();
    };
  }, [api, start, target, fail, setLab, showInspect]);

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

  /** A new drawing on the canvas: the last run's view goes. */
  const clearRun = useCallback(() => setRun(null), []);

  const labAction = useCallback(
    (action: 'up' | 'down', name: string, pick = false) => {
      setLabBusy(true);
      tell(labBusyStatus(action, name));
      api
        .invoke(action === 'up' ? 'lab:up' : 'lab:down', { name })
        .then((s) => {
          setLab(s);
          if (pick) setTarget({ kind: 'lab', name: s.name });
          tell(labDoneStatus(s, action));
        }, fail)
        .finally(() => setLabBusy(false));
    },
    [api, tell, fail, setLab],
  );

  return {
    target,
    setTarget,
    labs,
    labBusy,
    run,
    clearRun,
    pendingPlan,
    seen,
    hostKey,
    start,
    /** Apply the plan waiting for it, under the plan's output. */
    apply: () => {
      if (pendingPlan && run) void start('up', [...run.lines, { stream: 'info', text: '— apply —' }], { changes: pendingPlan.changes }).catch(fail);
    },
    cancel: () => run && void api.invoke('run:cancel', { runId: run.runId }),
    /** Start or stop the target's lab host. */
    toggleLab: (action: 'up' | 'down') => target?.kind === 'lab' && labAction(action, target.name),
    /** Start a lab host of this name and make it the target. */
    newLab: (name: string) => labAction('up', name, true),
    refreshLabs: () => void api.invoke('lab:list', {}).then((all) => setLabs(sortLabs(all)), () => undefined),
    answerHostKey: (trust: boolean) => {
      if (!hostKey) return;
      void api.invoke('run:host-key', { runId: hostKey.runId, trust });
      setHostKey(null);
    },
  };
}
