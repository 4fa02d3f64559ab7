/** The live script: the `up` and `down` commands as they will run, and the whole lab.sh (built on demand). */
import { useMemo, useState } from 'react';
import type { Step } from '../../shared/compiler/steps.js';
import { shellJoin } from '../../shared/compiler/shell.js';
import { ScriptView } from './ScriptView.js';

/** Steps as readable commands, one comment per step (the same argv lists lab.sh runs). */
export function stepsText(steps: readonly Step[]): string {
  const out: string[] = [];
  for (const s of steps) {
    out.push(`# ${s.title}`);
    // `after` holds the ownership tag, which runs also when the step's guard finds its object made.
    for (const c of [...s.commands, ...(s.after ?? [])]) out.push(shellJoin(c.argv) + (c.stdoutTo !== undefined ? ` > ${shellJoin([c.stdoutTo])}` : ''));
  }
  return out.join('\n');
}

export function ScriptPanel(props: { up: readonly Step[] | null; down: readonly Step[] | null; fullScript: (() => string | null) | null; onExport(): void; onExportPlain(): void; onCopied(text: string): void }) {
  const [tab, setTab] = useState<'up' | 'down' | 'lab.sh'>('up');
  const text = useMemo(() => {
    if (tab === 'lab.sh') return props.fullScript?.() ?? null;
    const steps = tab === 'up' ? props.up : props.down;
    return steps ? stepsText(steps) : null;
  }, [tab, props.up, props.down, props.fullScript]);
  return (
    <section className="script-panel" aria-label="Script">
      <header>
        {(['up', 'down', 'lab.sh'] as const).map((t) => (
          <button key={t} type="button" className={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)} data-testid={`script-tab-${t}`}>
            {t}
          </button>
        ))}
        <span className="spacer" />
        <button type="button" disabled={!text} onClick={() => text && props.onCopied(text)} title="Copy to the clipboard" data-testid="copy-script">
          Copy
        </button>
        <button type="button" disabled={!props.fullScript} onClick={props.onExport} title="Export lab.sh (Ctrl+E)" data-testid="export-script">
          Export .sh
        </button>
        <button type="button" disabled={!props.fullScript} onClick={props.onExportPlain} title="Export the plain commands, in order, for reading and teaching" data-testid="export-plain">
          Plain…
        </button>
      </header>
      <ScriptView text={text} emptyText="Fix the errors in the problems list to see the script." testId="script" />
    </section>
  );
}
