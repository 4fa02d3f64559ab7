/**
 * A namespace's services in its panel: each an id and the command line it runs in the namespace
 * (started after up, stopped at down, restarted by a deploy only when its command changes).
 */
import { fieldOf, type Problem } from '../../shared/compiler/problems.js';
import { Field, RowList } from './fields.js';

export interface ServiceRow {
  id: string;
  command: string;
}

/** The first id `web`, `web2`, ... that no service of the node has yet. */
export function nextServiceId(services: readonly ServiceRow[]): string {
  const taken = new Set(services.map((s) => s.id));
  for (let n = 1; ; n++) if (!taken.has(n === 1 ? 'web' : `web${n}`)) return n === 1 ? 'web' : `web${n}`;
}

export function ServicesFields(props: { node: string; services: readonly ServiceRow[]; problems: readonly Problem[]; onChange(services: ServiceRow[], key: string): void }) {
  const { services } = props;
  const at = (path: string) => props.problems.filter((p) => p.element === props.node && fieldOf(p).startsWith(path)).map((p) => p.message);
  const set = (i: number, patch: Partial<ServiceRow>) => props.onChange(services.map((s, j) => (j === i ? { ...s, ...patch } : s)), `services.${i}`);
  return (
    <RowList
      title="Services"
      testId="services"
      rows={services}
      onAdd={() => props.onChange([...services, { id: nextServiceId(services), command: '' }], 'services.add')}
      onRemove={(i) => props.onChange(services.filter((_, j) => j !== i), 'services.remove')}
      render={(s, i) => (
        <>
          <Field label="id" value={s.id} onChange={(v) => set(i, { id: v })} testId={`service-${i}-id`} problems={at(`services[${i}].id`)} />
          <Field
            label="command"
            value={s.command}
            placeholder="python3 -m http.server 80"
            onChange={(v) => set(i, { command: v })}
            testId={`service-${i}-command`}
            problems={at(`services[${i}].command`)}
            title="A shell command line, run with bash -c in the namespace after up, in a directory of its own; its output is kept on the lab host (nsd status shows the last lines)"
          />
        </>
      )}
    />
  );
}
