/**
 * A link's impairments (netem) in its panel: delay, jitter, loss, rate, duplication and
 * corruption, for the whole link or, in a fold, for what one end sends (an asymmetric link).
 * Each field is one editor command through `onChange`; an emptied field is removed, and the
 * netem with it when nothing is left.
 */
import { FIELD_LABELS, NETEM_FIELDS, withNetemField, type NetemField } from '../../shared/compiler/netem.js';
import type { Netem } from '../../shared/model/topology.js';
import { Field, numberOrUndefined } from './fields.js';

const UNITS: Record<NetemField, string> = {
  delayMs: 'ms',
  jitterMs: 'ms',
  lossPercent: '%',
  duplicatePercent: '%',
  corruptPercent: '%',
  rateMbit: 'Mbit/s',
};

export interface NetemFieldsProps {
  netem: Netem | undefined;
  /** The new netem (undefined: remove it) and the field that changed, for the undo merge key. */
  onChange(next: Netem | undefined, field: NetemField): void;
  /** Problems under `netem.FIELD` of this place. */
  problems(field: NetemField): string[];
  /** Test ids are `${testPrefix}-${field}`, e.g. prop-netem-delayMs. */
  testPrefix: string;
  /** What the figures apply to, shown as the legend. */
  legend: string;
  /** In a fold, open when the netem has figures (an end's own). */
  folded?: boolean;
}

export function NetemFields(props: NetemFieldsProps) {
  const fields = NETEM_FIELDS.map((f) => (
    <Field
      key={f}
      label={`${FIELD_LABELS[f]} (${UNITS[f]})`}
      type="number"
      value={props.netem?.[f]?.toString() ?? ''}
      placeholder="none"
      onChange={(v) => props.onChange(withNetemField(props.netem, f, numberOrUndefined(v)), f)}
      testId={`${props.testPrefix}-${f}`}
      problems={props.problems(f)}
    />
  ));
  if (props.folded) {
    return (
      <details className="netem" open={props.netem !== undefined} data-testid={`${props.testPrefix}-fold`}>
        <summary>{props.legend}</summary>
        {fields}
      </details>
    );
  }
  return (
    <fieldset className="netem" data-testid={props.testPrefix}>
      <legend>{props.legend}</legend>
      {fields}
    </fieldset>
  );
}
