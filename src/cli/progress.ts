/**
 * Progress of a run on a terminal: one line, `[12/40] links/red-blue  veth pair ...`, rewritten
 * in place as the steps go by; whatever else is printed appears above it. Off a terminal the
 * run's own numbered lines are printed as they come, one per step.
 */
import type { StepRef } from '../shared/deploy/events.js';

/** Erases the terminal line the cursor is on and returns to its start. */
export const CLEAR_LINE = '\r\x1b[K';

/**
 * The progress text of a step, cut to `columns - 1` characters (a line that wraps can no
 * longer be rewritten with a carriage return).
 */
export function formatProgress(step: StepRef, columns = 80): string {
  const width = String(step.total).length;
  const at = step.last !== undefined ? `${step.index}-${step.last}` : String(step.index);
  const text = `[${at.padStart(width)}/${step.total}] ${step.id}  ${step.title}`;
  const max = Math.max(columns - 1, 10);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** lab.sh's own numbered step line (`[ 3/27] links      veth pair ...`, `[ 4-9/27] ...` for a table's steps), which the progress line replaces. */
export function isStepLine(line: string): boolean {
  return /^\[ *\d+(-\d+)?\/\d+\] /.test(line);
}

export interface TerminalSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Which of the two streams are terminals, and how wide. */
export interface TerminalInfo {
  stdout: boolean;
  stderr: boolean;
  columns?: number;
}

/**
 * Writes a run's human output. With stderr on a terminal the progress line lives there, and
 * lines printed to a terminal first erase it and then draw it again below themselves.
 */
export class ProgressOutput {
  private shown: string | undefined;

  constructor(
    private readonly sink: TerminalSink,
    private readonly terminal: TerminalInfo = { stdout: false, stderr: false },
  ) {}

  /** True when a progress line is drawn (stderr is a terminal). */
  get active(): boolean {
    return this.terminal.stderr;
  }

  /** Shows the step on the progress line; does nothing off a terminal. */
  step(step: StepRef): void {
    if (!this.active) return;
    this.shown = formatProgress(step, this.terminal.columns);
    this.sink.stderr(`${CLEAR_LINE}${this.shown}`);
  }

  /** Prints a whole line to one stream, keeping the progress line below it. */
  line(stream: 'stdout' | 'stderr', text: string): void {
    const sharesTerminal = this.shown !== undefined && this.terminal[stream];
    if (sharesTerminal) this.sink.stderr(CLEAR_LINE);
    this.sink[stream](`${text}\n`);
    if (sharesTerminal) this.sink.stderr(this.shown!);
  }

  /** Erases the progress line for good (the run has ended). */
  done(): void {
    if (this.shown === undefined) return;
    this.sink.stderr(CLEAR_LINE);
    this.shown = undefined;
  }
}
