/**
 * The properties of the selection: a node's or a link's fields, or, with nothing selected, the
 * document's own (name, NAT, port forwards, probes). Every edit is an editor command; problems
 * of the element are shown under the field they belong to.
 */
import { useMemo } from 'react';
import type { Doc, EditorCommand } from '../../shared/document/commands.js';
import type { Problem } from '../../shared/compiler/problems.js';
import { namedNode, shortenedFrom } from '../../shared/document/names.js';
import { proposePortForward } from '../../shared/document/port-forward.js';
import { interfaceNames } from '../../shared/document/view.js';
import { IFNAME_MAX } from '../../shared/model/topology.js';
import { Check, Field, RowList, Select, numberOrUndefined, problemsAt, splitList } from './fields.js';
import { NodeInterfaces } from './Interfaces.js';
import { ServicesFields } from './ServicesFields.js';
import { NetemFields } from './NetemFields.js';
import { asIdHint, endAddressHint, noneHint } from '../state/field-hints.js';

type Dispatch = (command: EditorCommand, mergeKey?: string) => void;
type AnyNode = NonNullable<Doc['nodes']>[number];
type AnyLink = NonNullable<Doc['links']>[number];
type RouteRow = { to: string; via?: string; dev?: string; metric?: number };

export interface PropertiesProps {
  doc: Doc;
  selection: readonly string[];
  problems: readonly Problem[];
  dispatch: Dispatch;
}

function clean<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out as T;
}

function Routes(props: { owner: string; routes: readonly RouteRow[]; problems: readonly Problem[]; onChange(routes: RouteRow[], key: string): void }) {
  const { routes } = props;
  const set = (i: number, patch: Partial<RouteRow>) => props.onChange(routes.map((r, j) => (j === i ? clean({ ...r, ...patch }) : r)), `routes.${i}`);
  return (
    <RowList
      title="Routes"
      testId="routes"
      rows={routes}
      onAdd={() => props.onChange([...routes, { to: 'default', via: '' }], 'routes.add')}
      onRemove={(i) => props.onChange(routes.filter((_, j) => j !== i), 'routes.remove')}
      render={(r, i) => (
        <>
          <Field label="to" value={r.to} onChange={(v) => set(i, { to: v })} testId={`route-${i}-to`} problems={problemsAt(props.problems, props.owner, `routes[${i}].to`)} />
          <Field label="via" value={r.via ?? ''} onChange={(v) => set(i, { via: v || undefined })} testId={`route-${i}-via`} problems={problemsAt(props.problems, props.owner, `routes[${i}].via`)} />
          <Field label="dev" value={r.dev ?? ''} onChange={(v) => set(i, { dev: v || undefined })} testId={`route-${i}-dev`} problems={problemsAt(props.problems, props.owner, `routes[${i}].dev`)} />
        </>
      )}
    />
  );
}

/** IP forwarding (auto / on / off) and the routing table: what namespaces and the host share. */
function ForwardingAndRoutes(props: {
  node: { id: string; forwarding?: boolean | undefined; routes?: readonly RouteRow[] | undefined };
  auto: string;
  update(patch: Record<string, unknown>, field: string): void;
  problems: readonly Problem[];
}) {
  const { node, update } = props;
  return (
    <>
      <Select
        label="IP forwarding"
        value={node.forwarding === undefined ? 'auto' : node.forwarding ? 'on' : 'off'}
        options={[
          { value: 'auto', label: props.auto },
          { value: 'on', label: 'on' },
          { value: 'off', label: 'off' },
        ]}
        onChange={(v) => update({ forwarding: v === 'auto' ? undefined : v === 'on' }, 'forwarding')}
        testId="prop-forwarding"
      />
      <Routes owner={node.id} routes={node.routes ?? []} problems={props.problems} onChange={(routes, key) => update({ routes }, key)} />
    </>
  );
}

function NodeProperties({ node, props }: { node: AnyNode; props: PropertiesProps }) {
  const id = node.id;
  const update = (patch: Record<string, unknown>, field: string) => props.dispatch({ type: 'updateNode', id, patch }, `edit:${id}:${field}`);
  const p = (prefix: string) => problemsAt(props.problems, id, prefix);
  return (
    <div className="properties" data-testid="properties">
      <h3>
        {node.kind === 'namespace' && node.router ? 'Router' : node.kind[0]!.toUpperCase() + node.kind.slice(1)} <code>{id}</code>
      </h3>
      <Field label="id" value={id} onChange={(v) => props.dispatch({ type: 'updateNode', id, patch: { id: v } })} testId="prop-id" problems={p('id')} title="Renaming also updates links and probes" commitOnBlur />
      <NodeInterfaces doc={props.doc} node={id} problems={props.problems} dispatch={props.dispatch} />
      {node.kind === 'namespace' && (
        <>
          <Field label="namespace name" value={node.name ?? ''} placeholder={asIdHint(id)} onChange={(v) => update({ name: v || undefined }, 'name')} testId="prop-name" problems={p('name')} />
          <Check label="router (forwards between its interfaces)" checked={node.router ?? false} onChange={(v) => update({ router: v }, 'router')} testId="prop-router" />
          <ForwardingAndRoutes node={node} auto="as the router flag says" update={update} problems={props.problems} />
          <Field label="DNS servers" value={(node.dns ?? []).join(', ')} placeholder={noneHint('1.1.1.1')} onChange={(v) => update({ dns: splitList(v) }, 'dns')} testId="prop-dns" problems={p('dns')} title="Written to /etc/netns/NAME/resolv.conf (the host's 127.0.0.53 stub is not reachable from a namespace)" />
          <ServicesFields node={id} services={node.services ?? []} problems={props.problems} onChange={(services, key) => update({ services }, key)} />
        </>
      )}
      {node.kind === 'bridge' && (
        <>
          <Field label="bridge name" value={node.name ?? ''} placeholder={asIdHint(id)} onChange={(v) => update({ name: v || undefined }, 'name')} testId="prop-name" problems={p('name')} />
          <Field label="host addresses" value={(node.addresses ?? []).join(', ')} placeholder={noneHint('192.168.15.5/24')} onChange={(v) => update({ addresses: splitList(v) }, 'addresses')} testId="prop-addresses" problems={p('addresses')} title="How the host reaches the segment, and the namespaces' gateway" />
          <Field label="MTU" type="number" value={node.mtu?.toString() ?? ''} onChange={(v) => update({ mtu: numberOrUndefined(v) }, 'mtu')} testId="prop-mtu" problems={p('mtu')} />
        </>
      )}
      {node.kind === 'host' && (
        <>
          <Field label="uplink" value={node.uplink ?? 'eth0'} onChange={(v) => update({ uplink: v }, 'uplink')} testId="prop-uplink" problems={p('uplink')} />
          <ForwardingAndRoutes node={node} auto="on when NAT or routing needs it" update={update} problems={props.problems} />
        </>
      )}
      {node.kind === 'internet' && (
        <Field label="probe target" value={node.target ?? ''} placeholder={noneHint('203.0.113.1')} onChange={(v) => update({ target: v || undefined }, 'target')} testId="prop-target" problems={p('target')} title="An outside address that verify pings from namespaces with NAT" />
      )}
      <Field label="notes" value={node.notes ?? ''} onChange={(v) => update({ notes: v || undefined }, 'notes')} testId="prop-notes" />
    </div>
  );
}

function LinkProperties({ link, props }: { link: AnyLink; props: PropertiesProps }) {
  const id = link.id;
  // The names the compiler gives ends without one, to say when they were shortened.
  const effective = useMemo(() => interfaceNames(props.doc).get(id), [props.doc, id]);
  const p = (prefix: string) => problemsAt(props.problems, id, prefix);
  const end = (side: 'a' | 'b') => {
    const e = link[side];
    const set = (patch: Record<string, unknown>, field: string) => props.dispatch({ type: 'updateLink', id, patch: { [side]: clean({ ...e, ...patch }) } }, `edit:${id}:${side}.${field}`);
    const self = props.doc.nodes?.find((n) => n.id === e.node);
    const other = props.doc.nodes?.find((n) => n.id === link[side === 'a' ? 'b' : 'a'].node);
    const name = e.ifname ?? effective?.[side];
    const full = name && self && other ? shortenedFrom(name, namedNode(self), namedNode(other)) : undefined;
    const note = full ? `${e.ifname ? '' : `generated: ${name}, `}shortened from ${full}: Linux allows ${IFNAME_MAX} characters` : undefined;
    return (
      <fieldset className="end" key={side}>
        <legend>
          end {side}: <code>{e.node}</code>
        </legend>
        <Field label="interface" value={e.ifname ?? ''} placeholder="generated" onChange={(v) => set({ ifname: v || undefined }, 'ifname')} testId={`prop-${side}-ifname`} problems={p(`${side}.ifname`)} note={note} />
        <Field label="addresses" value={(e.addresses ?? []).join(', ')} placeholder={endAddressHint(self?.kind, other?.kind)} onChange={(v) => set({ addresses: splitList(v) }, 'addresses')} testId={`prop-${side}-addresses`} problems={p(`${side}.addresses`)} />
        <NetemFields netem={e.netem} onChange={(netem, f) => set({ netem }, `netem.${f}`)} problems={(f) => p(`${side}.netem.${f}`)} testPrefix={`prop-${side}-netem`} legend={`what ${e.node} sends: own impairments`} folded />
      </fieldset>
    );
  };
  return (
    <div className="properties" data-testid="properties">
      <h3>
        Link <code>{id}</code>
      </h3>
      <Field label="id" value={id} onChange={(v) => props.dispatch({ type: 'updateLink', id, patch: { id: v } })} testId="prop-id" problems={p('id')} commitOnBlur />
      {end('a')}
      {end('b')}
      <Field label="MTU" type="number" value={link.mtu?.toString() ?? ''} onChange={(v) => props.dispatch({ type: 'updateLink', id, patch: { mtu: numberOrUndefined(v) } }, `edit:${id}:mtu`)} testId="prop-mtu" problems={p('mtu')} />
      <NetemFields netem={link.netem} onChange={(netem, f) => props.dispatch({ type: 'updateLink', id, patch: { netem } }, `edit:${id}:netem.${f}`)} problems={(f) => p(`netem.${f}`)} testPrefix="prop-netem" legend="impairments, each way (netem)" />
    </div>
  );
}

function DocumentProperties({ props }: { props: PropertiesProps }) {
  const { doc } = props;
  const nat = { masquerade: doc.nat?.masquerade ?? [], portForwards: doc.nat?.portForwards ?? [] };
  const probes = doc.probes ?? [];
  const setDoc = (patch: Record<string, unknown>, key: string) => props.dispatch({ type: 'updateDoc', patch }, `edit:doc:${key}`);
  const docProblems = (prefix: string) => props.problems.filter((x) => x.path.startsWith(prefix)).map((x) => x.message);
  type Masq = (typeof nat.masquerade)[number];
  type Pf = (typeof nat.portForwards)[number];
  type Pr = (typeof probes)[number];
  const setMasq = (rows: Masq[], key: string) => setDoc({ nat: { ...nat, masquerade: rows } }, key);
  const setPf = (rows: Pf[], key: string) => setDoc({ nat: { ...nat, portForwards: rows } }, key);
  const setProbes = (rows: Pr[], key: string) => setDoc({ probes: rows }, key);
  const freeId = (prefix: string, used: readonly { id: string }[]) => {
    let i = used.length + 1;
    while (used.some((u) => u.id === `${prefix}${i}`)) i++;
    return `${prefix}${i}`;
  };
  return (
    <div className="properties" data-testid="properties">
      <h3>Lab</h3>
      <Field label="lab name" value={doc.name} onChange={(v) => setDoc({ name: v }, 'name')} testId="prop-lab-name" problems={docProblems('name')} title="Tags every interface and iptables chain the lab makes" />
      <Field label="title" value={doc.title ?? ''} onChange={(v) => setDoc({ title: v || undefined }, 'title')} testId="prop-title" />
      <RowList
        title="NAT: masquerade (outgoing)"
        testId="masquerade"
        rows={nat.masquerade}
        onAdd={() => setMasq([...nat.masquerade, { id: freeId('masq', nat.masquerade), source: '192.168.15.0/24' }], 'masq.add')}
        onRemove={(i) => setMasq(nat.masquerade.filter((_, j) => j !== i), 'masq.remove')}
        render={(m, i) => (
          <>
            <Field label="source" value={m.source} onChange={(v) => setMasq(nat.masquerade.map((x, j) => (j === i ? { ...x, source: v } : x)), `masq.${i}.source`)} testId={`masq-${i}-source`} problems={problemsAt(props.problems, m.id, 'source')} />
            <Field label="out" value={m.out ?? ''} placeholder="the uplink" onChange={(v) => setMasq(nat.masquerade.map((x, j) => (j === i ? clean({ ...x, out: v || undefined }) : x)), `masq.${i}.out`)} testId={`masq-${i}-out`} problems={problemsAt(props.problems, m.id, 'out')} />
          </>
        )}
      />
      <RowList
        title="Port forwards (from outside and from the host)"
        testId="port-forwards"
        rows={nat.portForwards}
        onAdd={() => setPf([...nat.portForwards, proposePortForward(doc, freeId('fwd', nat.portForwards))], 'pf.add')}
        onRemove={(i) => setPf(nat.portForwards.filter((_, j) => j !== i), 'pf.remove')}
        render={(f, i) => {
          const set = (patch: Partial<Pf>, k: string) => setPf(nat.portForwards.map((x, j) => (j === i ? clean({ ...x, ...patch }) : x)), `pf.${i}.${k}`);
          return (
            <>
              <Select label="proto" value={f.proto ?? 'tcp'} options={[{ value: 'tcp', label: 'tcp' }, { value: 'udp', label: 'udp' }]} onChange={(v) => set({ proto: v }, 'proto')} />
              <Field label="host port" type="number" value={String(f.hostPort)} onChange={(v) => set({ hostPort: numberOrUndefined(v) ?? 0 }, 'hostPort')} testId={`pf-${i}-hostPort`} problems={problemsAt(props.problems, f.id, 'hostPort')} />
              <Field label="to" value={f.to} onChange={(v) => set({ to: v }, 'to')} testId={`pf-${i}-to`} problems={problemsAt(props.problems, f.id, 'to')} />
              <Field label="port" type="number" value={f.toPort?.toString() ?? ''} onChange={(v) => set({ toPort: numberOrUndefined(v) }, 'toPort')} problems={problemsAt(props.problems, f.id, 'toPort')} />
            </>
          );
        }}
      />
      <RowList
        title="Probes (extra checks for verify)"
        testId="probes"
        rows={probes}
        onAdd={() => setProbes([...probes, { id: freeId('probe', probes), from: doc.nodes?.[0]?.id ?? '', to: doc.nodes?.[1]?.id ?? '', kind: 'ping', expect: 'reachable' }], 'probe.add')}
        onRemove={(i) => setProbes(probes.filter((_, j) => j !== i), 'probe.remove')}
        render={(r, i) => {
          const set = (patch: Partial<Pr>, k: string) => setProbes(probes.map((x, j) => (j === i ? clean({ ...x, ...patch }) : x)), `probe.${i}.${k}`);
          return (
            <>
              <Field label="from" value={r.from} onChange={(v) => set({ from: v }, 'from')} problems={problemsAt(props.problems, r.id, 'from')} testId={`probe-${i}-from`} />
              <Field label="to" value={r.to} onChange={(v) => set({ to: v }, 'to')} problems={problemsAt(props.problems, r.id, 'to')} testId={`probe-${i}-to`} />
              <Select label="kind" value={r.kind ?? 'ping'} options={[{ value: 'ping', label: 'ping' }, { value: 'tcp', label: 'tcp' }]} onChange={(v) => set({ kind: v }, 'kind')} testId={`probe-${i}-kind`} />
              <Select label="expect" value={r.expect ?? 'reachable'} options={[{ value: 'reachable', label: 'reachable' }, { value: 'unreachable', label: 'unreachable' }]} onChange={(v) => set({ expect: v }, 'expect')} testId={`probe-${i}-expect`} />
            </>
          );
        }}
      />
    </div>
  );
}

export function Properties(props: PropertiesProps) {
  if (props.selection.length > 1) {
    return (
      <div className="properties" data-testid="properties">
        <h3>{props.selection.length} elements selected</h3>
        <p className="hint">Drag to move them together; Delete removes them; Ctrl+C copies them.</p>
      </div>
    );
  }
  const id = props.selection[0];
  const node = props.doc.nodes?.find((n) => n.id === id);
  if (node) return <NodeProperties key={node.id} node={node} props={props} />;
  const link = props.doc.links?.find((l) => l.id === id);
  if (link) return <LinkProperties key={link.id} link={link} props={props} />;
  const note = props.doc.notes?.find((n) => n.id === id);
  if (note) {
    return (
      <div className="properties" data-testid="properties">
        <h3>
          Note <code>{note.id}</code>
        </h3>
        <Field label="text" rows={6} value={note.text} onChange={(text) => props.dispatch({ type: 'updateNote', id: note.id, text }, `edit:${note.id}:text`)} testId="note-text" />
      </div>
    );
  }
  return <DocumentProperties props={props} />;
}
