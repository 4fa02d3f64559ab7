/**
 * A long script, drawn a screenful at a time: labs of hundreds of namespaces make scripts of
 * ten thousand lines, and laying all of them out after every edit would stall typing.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'react';

const LINE_PX = 16;
/** Lines drawn above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 30;

export function ScriptView(props: { text: string | null; emptyText: string; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 400 });
  const lines = useMemo(() => (props.text === null ? [] : props.text.split('\n')), [props.text]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  if (props.text === null) {
    return (
      <pre data-testid={props.testId} className="empty">
        {props.emptyText}
      </pre>
    );
  }
  const first = Math.max(0, Math.floor(view.top / LINE_PX) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((view.top + view.height) / LINE_PX) + OVERSCAN);
  return (
    <div
      ref={box}
      className="script-view"
      data-testid={props.testId}
      data-lines={lines.length}
      onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
    >
      <pre style={{ height: lines.length * LINE_PX, paddingTop: first * LINE_PX, lineHeight: `${LINE_PX}px` }}>{lines.slice(first, last).join('\n')}</pre>
    </div>
  );
}
