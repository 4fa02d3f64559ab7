/**
 * A node's interfaces in its own panel: one row per cable end on the node, with the interface
 * name and the addresses, editable there (the same field as the link's end, so one undo step
 * per field either way). A bridge's ports carry no address: they are listed only.
 */
import { useMemo } from 'react';
import type { Doc, EditorCommand } from '../../shared/document/commands.js';
import type { Problem } from '../../shared/compiler/problems.js';
import { interfaceNames } from '../../shared/document/view.js';
import { endAddressHint } from '../state/field-hints.js';
import { Field, problemsAt, splitList } from './fields.js';

export function NodeInterfaces(props: { doc: Doc; node: string; problems: readonly Problem[]; dispatch(command: EditorCommand, mergeKey?: string): void }) {
  const { doc, node } = props;
  const names = useMemo(() => interfaceNames(doc), [doc]);
  const kindOf = (id: string) => doc.nodes?.find((n) => n.id === id)?.kind;
  const self = kindOf(node);
  const selfNode = doc.nodes?.find((n) => n.id === node);
  // The host's end of its cable to the Internet node is its uplink, named in the host's own field.
  const uplink = selfNode?.kind === 'host' && typeof selfNode.uplink === 'string' ? selfNode.uplink : 'uplink';
  const ends = (doc.links ?? []).flatMap((link) => (['a', 'b'] as const).filter((side) => link[side].node === node).map((side) => ({ link, side, other: link[side === 'a' ? 'b' : 'a'].node })));
  if (ends.length === 0) return null;
  return (
    <fieldset className="interfaces" data-testid="interfaces">
      <legend>Interfaces</legend>
      {ends.map(({ link, side, other }) => {
        const end = link[side];
        const name = end.ifname ?? names.get(link.id)?.[side] ?? '';
        const label = `${name || uplink} → ${other}`;
        if (self === 'bridge' || kindOf(other) === 'internet') {
          return (
            <p key={`${link.id}.${side}`} className="iface-row" data-testid={`iface-${link.id}`}>
              <code>{name || uplink}</code> → {other}
            </p>
          );
        }
        return (
          <Field
            key={`${link.id}.${side}`}
            label={label}
            value={(end.addresses ?? []).join(', ')}
            placeholder={endAddressHint(self, kindOf(other))}
            onChange={(v) => {
              const { addresses: _old, ...rest } = end;
              const next = splitList(v);
              props.dispatch({ type: 'updateLink', id: link.id, patch: { [side]: next.length > 0 ? { ...rest, addresses: next } : rest } }, `edit:${link.id}:${side}.addresses`);
            }}
            testId={`iface-${link.id}-addresses`}
            problems={problemsAt(props.problems, link.id, `${side}.addresses`)}
            title={`The addresses of ${name} on ${node}, at its end of link ${link.id}`}
          />
        );
      })}
    </fieldset>
  );
}
