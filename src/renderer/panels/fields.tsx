/**
 * Form fields that keep what the user is typing while the document (and undo) move underneath:
 * each keystroke goes to the document at once (the script updates live), merged into one undo
 * step per field, and the text is re-read from the document only while the field is not focused.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { fieldOf, type Problem } from '../../shared/compiler/problems.js';

export interface FieldProps {
  label: string;
  value: string;
  onChange(text: string): void;
  testId?: string;
  placeholder?: string;
  problems?: readonly string[];
  type?: 'text' | 'number';
  title?: string;
  /** Report the text only on Enter or blur (renames: the element must not change under the cursor). */
  commitOnBlur?: boolean;
  /** A text area of this many rows instead of a one-line input (note texts). */
  rows?: number;
  /** A remark under the field that is not a problem (a name shortened to fit). */
  note?: string;
}

export function Field(props: FieldProps) {
  const [draft, setDraft] = useState(props.value);
  const focused = useRef(false);
  useEffect(() => {
    if (!focused.current) setDraft(props.value);
  }, [props.value]);
  const invalid = (props.problems?.length ?? 0) > 0;
  const common = {
    value: draft,
    placeholder: props.placeholder,
    'data-testid': props.testId,
    'aria-invalid': invalid,
    onFocus: () => (focused.current = true),
    onBlur: (e: { target: { value: string } }) => {
      focused.current = false;
      if (props.commitOnBlur && e.target.value !== props.value) props.onChange(e.target.value);
      else setDraft(props.value);
    },
    onChange: (e: { target: { value: string } }) => {
      setDraft(e.target.value);
      if (!props.commitOnBlur) props.onChange(e.target.value);
    },
  };
  return (
    <label className={`field${invalid ? ' invalid' : ''}`} title={props.title}>
      <span>{props.label}</span>
      {props.rows !== undefined ? (
        <textarea rows={props.rows} {...common} />
      ) : (
        <input
          type={props.type ?? 'text'}
          spellCheck={false}
          {...common}
          onKeyDown={(e) => {
            if (props.commitOnBlur && e.key === 'Enter') e.currentTarget.blur();
          }}
        />
      )}
      {props.note && (
        <small className="field-note" data-testid={props.testId ? `${props.testId}-note` : undefined}>
          {props.note}
        </small>
      )}
      {props.problems?.map((p, i) => (
        <em key={i} className="field-problem">
          {p}
        </em>
      ))}
    </label>
  );
}

export function Check(props: { label: string; checked: boolean; onChange(v: boolean): void; testId?: string; title?: string }) {
  return (
    <label className="check" title={props.title}>
      <input type="checkbox" checked={props.checked} data-testid={props.testId} onChange={(e) => props.onChange(e.target.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

export function Select<T extends string>(props: { label: string; value: T; options: readonly { value: T; label: string }[]; onChange(v: T): void; testId?: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <select value={props.value} data-testid={props.testId} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A list of rows (routes, NAT rules, probes) with add and remove buttons. */
export function RowList<T>(props: { title: string; rows: readonly T[]; render(row: T, index: number): ReactNode; onAdd(): void; onRemove(index: number): void; testId?: string }) {
  return (
    <fieldset className="rows" data-testid={props.testId}>
      <legend>{props.title}</legend>
      {props.rows.map((row, i) => (
        <div className="row" key={i}>
          {props.render(row, i)}
          <button type="button" className="remove" title="Remove this row" onClick={() => props.onRemove(i)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="add" onClick={props.onAdd}>
        + add
      </button>
    </fieldset>
  );
}

/** "a, b c" -> ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A number field's text as a number, or undefined when empty or not a number. */
export function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Problems of `element` whose field starts with `prefix`. */
export function problemsAt(problems: readonly Problem[], element: string | null, prefix: string): string[] {
  return problems.filter((p) => p.element === element && fieldOf(p).startsWith(prefix)).map((p) => p.message);
}
