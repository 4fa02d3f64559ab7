/**
 * Turns the output of `lab.sh` (run with NSD_EVENTS=1) into RunEvents. lab.sh numbers its
 * steps; the parser maps a number back to the compiler's Step, so an event names the step's
 * id, phase and element exactly as the exported script does.
 */
import type { PlannedProbe } from '../compiler/probes.js';
import type { Step } from '../compiler/steps.js';
import { diagnose } from './diagnose.js';
import type { HostAction, ProbeResult, RunEvent, StepRef } from './events.js';

/** How many stderr lines of the running step a step-failed event carries. */
const STDERR_KEPT = 50;

type Stream = 'stdout' | 'stderr';

export interface ParserOptions {
  /** The compiler's steps for the action (compile().up or .down); empty for status and verify. */
  steps?: readonly Step[];
  /** The planned probes, so failed probes get a likely cause. */
  probes?: readonly PlannedProbe[];
  now?: () => number;
}

/** Incremental parser: feed it chunks as they arrive, then call end() with the exit code. */
export class RunOutputParser {
  private readonly pending: Record<Stream, string> = { stdout: '', stderr: '' };
  private current: StepRef | undefined;
  private stepStderr: string[] = [];
  private failed = false;
  /**
   * A step-failed event waiting for the step's stderr. lab.sh writes its "FAILED at step" summary
   * (after the command's own errors) to stderr before the `@nsd failed` line on stdout, but the
   * two streams travel apart: under load sshd may send the stdout line first.
   */
  private held: Extract<RunEvent, { type: 'step-failed' }> | undefined;
  private readonly started: number;
  private readonly now: () => number;

  private readonly options: ParserOptions;

  /** `steps` may be given directly (compile().up or .down), or with probes and a clock as options. */
  constructor(
    private readonly action: HostAction,
    stepsOrOptions: readonly Step[] | ParserOptions = {},
    now?: () => number,
  ) {
    const options: ParserOptions = Array.isArray(stepsOrOptions) ? { steps: stepsOrOptions } : (stepsOrOptions as ParserOptions);
    this.options = now ? { ...options, now } : options;
    this.now = this.options.now ?? Date.now;
    this.started = this.now();
  }

  /** Parses a chunk of one stream; returns the events of every complete line in it. */
  push(stream: Stream, chunk: string): RunEvent[] {
    const text = this.pending[stream] + chunk;
    const lines = text.split('\n');
    this.pending[stream] = lines.pop() ?? '';
    const events = lines.flatMap((line) => this.line(stream, line.replace(/\r$/, '')));
    // The summary arrives in one write: the chunk that brings it brings the whole of it.
    if (this.held && this.hasSummary()) events.push(this.release());
    return events;
  }

  private hasSummary(): boolean {
    return this.stepStderr.some((l) => l.startsWith('FAILED at step '));
  }

  private release(): RunEvent {
    const event = { ...this.held!, stderr: [...this.stepStderr] };
    this.held = undefined;
    return event;
  }

  /** Flushes partial lines and reports the end of the run. */
  end(exitCode: number): RunEvent[] {
    const events: RunEvent[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream] !== '') events.push(...this.line(stream, this.pending[stream]));
      this.pending[stream] = '';
    }
    if (this.held) events.push(this.release());
    if (this.current && !this.failed) {
      // A step that ends the script without the ERR trap (preflight's own exit) still failed.
      events.push(
        exitCode === 0
          ? { type: 'step-finished', at: this.now(), step: this.current }
          : { type: 'step-failed', at: this.now(), step: this.current, exitStatus: exitCode, command: '', stderr: [...this.stepStderr] },
      );
    }
    this.current = undefined;
    const at = this.now();
    events.push({ type: 'finished', at, action: this.action, ok: exitCode === 0, exitCode, durationMs: at - this.started });
    return events;
  }

  private line(stream: Stream, line: string): RunEvent[] {
    const at = this.now();
    if (stream === 'stdout' && line.startsWith('@nsd ')) {
      const events = this.event(line.slice(5), at);
      if (events) return events;
    }
    if (stream === 'stderr') {
      this.stepStderr.push(line);
      if (this.stepStderr.length > STDERR_KEPT) this.stepStderr.shift();
    }
    return [{ type: 'output', at, stream, line, ...(this.current ? { step: this.current } : {}) }];
  }

  /** One `@nsd ...` line; undefined when it is not one we know (it is then shown as output). */
  private event(text: string, at: number): RunEvent[] | undefined {
    const [word, ...rest] = text.split(' ');
    if (word === 'step' && rest.length >= 2) {
      const events: RunEvent[] = [];
      if (this.current) events.push({ type: 'step-finished', at, step: this.current });
      // `step FIRST TOTAL LAST`: the steps FIRST..LAST of a table, which run together.
      this.current = rest[2] !== undefined && Number(rest[2]) > Number(rest[0]) ? this.range(Number(rest[0]), Number(rest[1]), Number(rest[2])) : this.ref(Number(rest[0]), Number(rest[1]));
      this.stepStderr = [];
      events.push({ type: 'step-started', at, step: this.current });
      return events;
    }
    if (word === 'failed' && rest.length >= 2) {
      this.failed = true;
      // lab.sh names the step whose command failed: the running one, or within a table a step of
      // any of its phases, which it announces (each a range, or a step of its own) before it runs them.
      const index = Number(rest[0]);
      const announced = this.current !== undefined && index >= 1 && index <= (this.current.last ?? this.current.index);
      const step = this.current && !announced ? this.current : this.ref(index, this.current?.total ?? this.options.steps?.length ?? 0);
      const failed = { type: 'step-failed' as const, at, step, exitStatus: Number(rest[1]), command: rest.slice(2).join(' '), stderr: [...this.stepStderr] };
      if (this.hasSummary()) return [failed];
      this.held = failed;
      return [];
    }
    if (word === 'done') {
      const events: RunEvent[] = this.current ? [{ type: 'step-finished', at, step: this.current }] : [];
      this.current = undefined;
      return events;
    }
    if (word === 'probe') {
      const probe = parseProbe(rest);
      if (!probe) return undefined;
      const planned = this.options.probes?.find((p) => p.id === probe.id);
      const cause = diagnose(probe, planned);
      return [{ type: 'probe', at, probe: cause ? { ...probe, cause } : probe }];
    }
    return undefined;
  }

  /** The steps FIRST..LAST of a table as one: the phase of the first, the titles of both ends. */
  private range(first: number, total: number, last: number): StepRef {
    const a = this.ref(first, total);
    const b = this.ref(last, total);
    return { ...a, last, id: `${a.phase}/${first}-${last}`, element: null, title: `${last - first + 1} steps: ${a.title} ... ${b.title}` };
  }

  private ref(index: number, total: number): StepRef {
    const step = this.options.steps?.[index - 1];
    return {
      index,
      total,
      id: step?.id ?? `step-${index}`,
      phase: step?.phase ?? 'preflight',
      element: step?.element ?? null,
      title: step?.title ?? `step ${index}`,
    };
  }
}

/** Parses the `key=value` words of an `@nsd probe` line; `note=` is last and takes the rest of the line. */
export function parseProbe(words: readonly string[]): ProbeResult | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    const key = w.slice(0, eq);
    if (key === 'note') {
      f.set(key, [w.slice(eq + 1), ...words.slice(i + 1)].join(' '));
      break;
    }
    f.set(key, w.slice(eq + 1));
  }
  const kind = f.get('kind');
  const expect = f.get('expect');
  const observed = f.get('observed');
  const result = f.get('result');
  const id = f.get('id');
  if (!id || (kind !== 'ping' && kind !== 'tcp') || (expect !== 'reachable' && expect !== 'unreachable')) return undefined;
  if (observed !== 'reachable' && observed !== 'unreachable' && observed !== 'unknown') return undefined;
  if (result !== 'pass' && result !== 'fail' && result !== 'skip') return undefined;
  const ms = Number(f.get('ms'));
  return {
    id,
    from: f.get('from') ?? '',
    to: f.get('to') ?? '',
    kind,
    address: f.get('address') ?? '',
    expect,
    observed,
    result,
    ...(Number.isFinite(ms) && f.get('ms') !== '-' ? { latencyMs: ms } : {}),
    ...(f.get('note') ? { note: f.get('note') } : {}),
  };
}
