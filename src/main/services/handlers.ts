/**
 * The handlers behind every request channel of the IPC contract, shared by the Electron shell
 * (src/main/app/ipc.ts) and the browser entry (src/main/web/server.ts). Payloads arrive parsed;
 * deploy requests carry a document, which is recompiled here: no shell text crosses the boundary.
 */
import { compile } from '../../shared/compiler/index.js';
import { renderPlain } from '../../shared/compiler/render-plain.js';
import { DEFAULT_LAB_NAME, UNSAVED_DRAWING, type Handlers, type LabOccupancy, type LabState, type Template } from '../../shared/ipc/contract.js';
import { labDown, labNames, labOccupancy, labStatus, labUp, LabError, machineFacts } from '../lab/lab-host.js';
import { prerequisiteProblems } from '../lab/prerequisites.js';
import { formatLabInfo } from '../lab/lab-info.js';
import type { Dialogs, FileService, TargetStore } from './types.js';
import { RunRegistry } from './runs.js';
import { TerminalRegistry } from './terminals.js';
import { localDeployEnv } from '../deploy/deploy-session.js';
import { readExamples } from '../package-paths.js';

export interface HandlerDeps {
  mode: 'electron' | 'browser';
  files: FileService;
  targets: TargetStore;
  dialogs?: Dialogs;
  stateDir: string;
  /** Environment for the sandbox lab host (NSD_LAB_DIR) and SSH (HOME, SSH_AUTH_SOCK). */
  labEnv?: Record<string, string | undefined>;
  /** Where the templates are; defaults to the package's examples (EXAMPLES_DIR). */
  examplesDir?: string;
  version?: string;
}

function labAvailability(env: Record<string, string | undefined>): { available: boolean; reason?: string } {
  const problems = prerequisiteProblems(machineFacts(env));
  return problems.length === 0 ? { available: true } : { available: false, reason: problems.join('; ') };
}


/** Builds every handler of the contract over the given services. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const env = deps.labEnv ?? process.env;
  const lab = labAvailability(env);
  let templates: Promise<Template[]> | undefined;
  const terminals = new TerminalRegistry({ targets: deps.targets, env, deployEnv: localDeployEnv(env) });
  const runs = new RunRegistry({
    targets: deps.targets,
    env,
    deployEnv: localDeployEnv(env),
    ...(deps.dialogs?.confirmHostKey ? { confirmHostKey: deps.dialogs.confirmHostKey.bind(deps.dialogs) } : {}),
  });

  const labState = async (name: string | undefined): Promise<LabState> => {
    const labName = name ?? DEFAULT_LAB_NAME;
    if (!lab.available) return { name: labName, state: 'unavailable', problems: [lab.reason ?? 'not available here'] };
    const s = await labStatus(labName, env);
    const problems = [...s.health.problems];
    let occupancy: LabOccupancy | undefined;
    if (s.health.state === 'healthy') {
      try {
        occupancy = labOccupancy(labName, env);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return {
      name: labName,
      state: s.health.state,
      problems,
      ...(s.info ? { details: formatLabInfo(s.info, false), createdAt: s.info.createdAt } : {}),
      ...(occupancy ? { occupancy } : {}),
    };
  };
  const labFailure = (e: unknown): never => {
    if (e instanceof LabError) throw new Error(e.message);
    throw e;
  };
  /** A path from the UI (browser mode) or from a native dialog (Electron). */
  const choosePath = async (given: string | undefined, ask: () => Promise<string | undefined>): Promise<string | undefined> => {
    if (given !== undefined) return deps.files.resolve(given);
    if (!deps.dialogs) throw new Error('give a file path: this window has no file dialogs');
    return ask();
  };

  return {
    'app:info': () =>
      Promise.resolve({
        mode: deps.mode,
        version: deps.version ?? '0.1.0',
        platform: process.platform,
        nativeDialogs: deps.dialogs !== undefined,
        lab,
        secrets: deps.targets.secretsKept(),
        ...(deps.mode === 'browser' ? { workspace: deps.files.resolve('.') } : {}),
      }),
    'templates:list': () => {
      // The bundled examples do not change while the app runs: read them once.
      templates ??= Promise.resolve()
        .then(() => readExamples(deps.examplesDir).map(({ id, title, description, doc }): Template => ({ id, title, description, doc })))
        .catch((e: unknown) => {
          templates = undefined; // a read that failed is tried again next time
          throw e;
        });
      return templates;
    },
    'file:open': async ({ path }) => {
      const chosen = await choosePath(path, () => deps.dialogs!.openTopology());
      return chosen === undefined ? null : deps.files.open(chosen);
    },
    'file:save': async ({ path, text, suggestedName }) => {
      const chosen = await choosePath(path, () => deps.dialogs!.saveFile({ suggestedName: suggestedName ?? 'lab.json', kind: 'topology' }));
      return chosen === undefined ? null : deps.files.save(chosen, text);
    },
    'file:recent': () => deps.files.recent(),
    'file:autosave': ({ text, path }) => deps.files.autosave(text, path),
    'file:recovery': () => deps.files.recovery(),
    'file:discard-recovery': () => deps.files.discardRecovery(),
    'export:script': async ({ doc, path, plain, source = UNSAVED_DRAWING }) => {
      const compiled = compile(doc, { source });
      if (!compiled.ok) throw new Error(`the drawing has ${compiled.problems.length} problem(s); fix them before exporting (see the problems list)`);
      const chosen = await choosePath(path, () => deps.dialogs!.saveFile({ suggestedName: `${compiled.doc.name}${plain ? '-plain' : ''}.sh`, kind: 'script' }));
      const script = plain ? renderPlain(compiled.plan, { up: compiled.up, down: compiled.down, source }) : compiled.script;
      return chosen === undefined ? null : deps.files.writeExport(chosen, script, 0o755);
    },
    'export:image': async ({ format, data, path, suggestedName }) => {
      const chosen = await choosePath(path, () => deps.dialogs!.saveFile({ suggestedName: suggestedName ?? `lab.${format}`, kind: format }));
      if (chosen === undefined) return null;
      return deps.files.writeExport(chosen, format === 'png' ? Buffer.from(data.replace(/^data:image\/png;base64,/, ''), 'base64') : data);
    },
    'targets:list': () => deps.targets.list(),
    'targets:save': (request) => deps.targets.save(request),
    'targets:remove': ({ id }) => deps.targets.remove(id),
    // The default lab host is always listed: it is where a deploy goes unless the user picks another.
    'lab:list': () => Promise.all([...new Set([DEFAULT_LAB_NAME, ...(lab.available ? labNames(env) : [])])].map((n) => labState(n))),
    'lab:status': ({ name }) => labState(name),
    'lab:up': async ({ name }) => {
      if (!lab.available) throw new Error(`the sandbox lab host is not available here: ${lab.reason ?? ''}`);
      await labUp(name ?? DEFAULT_LAB_NAME, env).catch(labFailure);
      return labState(name);
    },
    'lab:down': async ({ name }) => {
      if (!lab.available) throw new Error(`the sandbox lab host is not available here: ${lab.reason ?? ''}`);
      await labDown(name ?? DEFAULT_LAB_NAME, env).catch(labFailure);
      return labState(name);
    },
    'run:start': (payload, sink) => runs.start(payload, sink),
    'run:cancel': ({ runId }) => Promise.resolve(runs.cancel(runId)),
    'run:host-key': ({ runId, trust }) => Promise.resolve(runs.answerHostKey(runId, trust)),
    'terminal:open': (payload, sink) => terminals.open(payload, sink),
    'terminal:input': ({ sessionId, data }) => Promise.resolve(terminals.input(sessionId, data)),
    'terminal:resize': ({ sessionId, cols, rows }) => Promise.resolve(terminals.resize(sessionId, cols, rows)),
    'terminal:close': ({ sessionId }) => terminals.close(sessionId).then(() => undefined),
    'capture:start': (payload, sink) => terminals.startCapture(payload, sink),
    'capture:stop': ({ sessionId }) => terminals.stopCapture(sessionId),
    'capture:save': async ({ sessionId, path }) => {
      const recorded = terminals.recorded(sessionId);
      if (!recorded) throw new Error('this capture is closed; start it again to save what it sees');
      if (recorded.pcap.length === 0) throw new Error('the capture has recorded nothing yet: tcpdump has not started, or did not start on the host');
      const chosen = await choosePath(path, () => deps.dialogs!.saveFile({ suggestedName: 'capture.pcap', kind: 'pcap' }));
      if (chosen === undefined) return null;
      const saved = await deps.files.writeExport(chosen, recorded.pcap);
      return { path: saved.path, packets: recorded.packets };
    },
    'capture:close': ({ sessionId }) => terminals.closeCapture(sessionId),
  };
}
