/** The live script: the `up` and `down` commands as they will run (text from the preview worker), and the whole lab.sh (built on demand). */
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { compile } from '../../shared/compiler/index.js';
import type { Doc } from '../../shared/document/commands.js';
import { ScriptView } from './ScriptView.js';

export function ScriptPanel(props: {
  up: string | null;
  down: string | null;
  /** No preview yet (the worker's first answer is on its way). */
  compiling: boolean;
  /** The drawing, for the whole lab.sh (with the verify probes), built only when someone looks at it or copies it. */
  doc: Doc;
  /** Whether the drawing compiles (else there is no lab.sh to show or export). */
  compiles: boolean;
  onExport(): void;
  onExportPlain(): void;
  onCopied(text: string): void;
}) {
  const [tab, setTab] = useState<'up' | 'down' | 'lab.sh'>('up');
  // Compiled on the page, a render behind typing; deferred here, so that render is this panel's
  // alone and not the whole designer's.
  const deferred = useDeferredValue(props.doc);
  const fullScript = useCallback((): string | null => {
    const full = compile(deferred, { source: `${deferred.name}.json` });
    return full.ok ? full.script : null;
  }, [deferred]);
  const text = useMemo(() => {
    if (tab === 'lab.sh') return props.compiles ? fullScript() : null;
    return tab === 'up' ? props.up : props.down;
  }, [tab, props.up, props.down, props.compiles, fullScript]);
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
        <button type="button" disabled={!props.compiles} onClick={props.onExport} title="Export lab.sh (Ctrl+E)" data-testid="export-script">
          Export .sh
        </button>
        <button type="button" disabled={!props.compiles} onClick={props.onExportPlain} title="Export the plain commands, in order, for reading and teaching" data-testid="export-plain">
          Plain…
        </button>
      </header>
      <ScriptView text={text} emptyText={props.compiling ? 'Compiling the script…' : 'Fix the errors in the problems list to see the script.'} testId="script" />
    </section>
  );
}
