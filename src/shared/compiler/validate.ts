/**
 * The validator: turns a parsed document (or JSON text) into either a schema-valid, resolved
 * document or a list of problems, each naming the element, the field and the fix. Schema errors
 * come from zod; everything else is checked on the resolved view so that generated interface
 * names and L2 segments are judged exactly as the planner will use them.
 */
import { z } from 'zod';
import { topologyJsonSchema, TopologyDocument, type Node } from '../model/topology.js';
import { contains, formatIp, isNetworkOrBroadcast, networkOf, parseCidr, parseIp, subnetText, type Cidr, type Family } from '../model/net.js';
import { byteLength, resolve, type Iface, type Resolved, type Segment } from './resolve.js';
import { hasErrors, type Problem } from './problems.js';

/** Either the checked document with its resolved view and warnings, or everything wrong with it. */
export type ValidationResult =
  | { ok: true; doc: TopologyDocument; resolved: Resolved; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** Largest JSON text validateText reads, in bytes. */
export const MAX_TEXT_BYTES = 20 * 1024 * 1024;
/** Problems listed at most; the rest are summed up in one final problem. */
export const MAX_PROBLEMS = 1000;

/** Checks a parsed document: size caps, the schema, then every semantic rule. */
export function validate(input: unknown): ValidationResult {
  const oversized = oversizedArrays(input);
  if (oversized.length > 0) return failure(oversized);
  const parsed = TopologyDocument.safeParse(input, { reportInput: true });
  if (!parsed.success) return failure(schemaProblems(parsed.error.issues, input));
  const resolved = resolve(parsed.data);
  const problems = checkSemantics(resolved);
  if (hasErrors(problems)) return failure(problems);
  return { ok: true, doc: parsed.data, resolved, warnings: sortProblems(problems) };
}

/** Parses JSON text and validates it; malformed JSON becomes one problem naming line and column. */
export function validateText(text: string): ValidationResult {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short texts skip the encoding pass.
  const bytes = text.length * 3 > MAX_TEXT_BYTES ? byteLength(text) : text.length;
  if (bytes > MAX_TEXT_BYTES) {
    const mb = (n: number, digits: number) => `${(n / 1024 / 1024).toFixed(digits)} MB`;
    return failure([documentProblem('', `the file is ${mb(bytes, 1)}; at most ${mb(MAX_TEXT_BYTES, 0)} is accepted, so split the lab into smaller files`)]);
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (e) {
    return failure([jsonProblem(body, e)]);
  }
  return validate(input);
}

// ---------------------------------------------------------------------------------------------
// Results and formatting

function failure(problems: Problem[]): ValidationResult {
  const sorted = sortProblems(problems);
  if (sorted.length <= MAX_PROBLEMS) return { ok: false, problems: sorted };
  const rest = sorted.length - MAX_PROBLEMS;
  return { ok: false, problems: [...sorted.slice(0, MAX_PROBLEMS), documentProblem('', `${rest} more problems are not listed; fix the ones above first`)] };
}

function documentProblem(path: string, message: string): Problem {
  return { severity: 'error', element: null, path, message };
}

/** Errors first, then by path with indices compared as numbers (links[2] before links[10]). */
function sortProblems(problems: Problem[]): Problem[] {
  const parts = (p: string) => p.match(/\d+|\D+/g) ?? [];
  const byPath = (x: string, y: string): number => {
    const a = parts(x);
    const b = parts(y);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const [s, t] = [a[i]!, b[i]!];
      if (s === t) continue;
      const numeric = /^\d/.test(s) && /^\d/.test(t);
      return numeric ? Number(s) - Number(t) : s < t ? -1 : 1;
    }
    return a.length - b.length;
  };
  const rank = (p: Problem) => (p.severity === 'error' ? 0 : 1);
  return [...problems].sort((x, y) => rank(x) - rank(y) || byPath(x.path, y.path));
}

type PathKey = PropertyKey;

/** `links[2].a.addresses[0]`; odd keys in brackets. */
function formatPath(path: readonly PathKey[]): string {
  return path
    .map((k, i) => {
      if (typeof k === 'number') return `[${k}]`;
      const key = String(k);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${quote(key)}]`;
    })
    .join('');
}

/** A value as it appears in a message: strings JSON-quoted, shortened, non-ASCII spelled out so lookalike letters show. */
function quote(value: unknown): string {
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(short).replace(/[^\x20-\x7e]/g, (c) => (c === '…' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeName(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks own properties only, so `__proto__` and friends are plain keys. */
function valueAt(root: unknown, path: readonly PathKey[]): { found: boolean; value?: unknown } {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value };
}

/** The id of the element a path points into, when the raw element has a string id. */
function elementAt(root: unknown, path: readonly PathKey[]): string | null {
  const depth = path[0] === 'nat' ? 3 : 2;
  const [first, second] = path[0] === 'nat' ? [path[1], path[2]] : [path[0], path[1]];
  const collections = path[0] === 'nat' ? ['masquerade', 'portForwards'] : ['nodes', 'links', 'probes', 'notes'];
  if (typeof first !== 'string' || !collections.includes(first) || typeof second !== 'number') return null;
  const id = valueAt(valueAt(root, path.slice(0, depth)).value, ['id']).value;
  return typeof id === 'string' ? id : null;
}

// ---------------------------------------------------------------------------------------------
// Size caps and schema problems

let arrayCaps: [string, number][] | undefined;

/** Top-level array caps, read from the schema so they stay in one place. */
function topLevelCaps(): [string, number][] {
  arrayCaps ??= Object.entries((topologyJsonSchema().properties ?? {}) as Record<string, { maxItems?: number }>).flatMap(([key, p]) =>
    p.maxItems !== undefined ? [[key, p.maxItems] as [string, number]] : [],
  );
  return arrayCaps;
}

/** Refuses oversized arrays before zod walks millions of elements. */
function oversizedArrays(input: unknown): Problem[] {
  if (!isRecord(input)) return [];
  return topLevelCaps().flatMap(([key, cap]) => {
    const list = Object.hasOwn(input, key) ? input[key] : undefined;
    if (!Array.isArray(list) || list.length <= cap) return [];
    return [documentProblem(key, `the document has ${list.length} ${key}; at most ${cap} are supported, so split the lab into smaller ones`)];
  });
}

const SINGULAR: Record<string, string> = {
  addresses: 'address',
  dns: 'name server',
  routes: 'route',
  nodes: 'node',
  links: 'link',
  probes: 'probe',
  notes: 'note',
  masquerade: 'masquerade rule',
  portForwards: 'port forward',
};

/** What a field is called in a message: its key, or the singular of its list. */
function fieldLabel(path: readonly PathKey[]): string {
  const last = path.at(-1);
  if (last === undefined) return 'the document';
  if (typeof last !== 'number') return String(last);
  const parent = String(path.at(-2));
  return SINGULAR[parent] ?? `${parent} entry`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

type Issue = z.core.$ZodIssue;

/** True when zod wrote the message itself, i.e. the schema gave none. */
function isDefaultMessage(issue: Issue): boolean {
  // The locale map reads the same fields a raw issue has; reportInput keeps `input` on it.
  return issue.message === z.config().localeError?.(issue as unknown as z.core.$ZodRawIssue);
}

/** Adds the bad value to a schema-written message: `namespace name "a;b" is not a valid name; ...`. */
function withValue(message: string, label: string, value: unknown): string {
  if (/^(is|needs) /.test(message)) return `${label}${typeof value === 'string' ? ` ${quote(value)}` : ''} ${message}`;
  const split = message.indexOf(' is ');
  if (typeof value !== 'string' || split < 0) return message;
  return `${message.slice(0, split)} ${quote(value)}${message.slice(split)}`;
}

function describeIssue(issue: Issue, root: unknown): { path: PathKey[]; message: string }[] {
  const path = [...issue.path];
  const label = fieldLabel(path);
  const { found, value } = valueAt(root, path);
  const one = (message: string) => [{ path, message }];
  if (!isDefaultMessage(issue)) return one(withValue(issue.message, label, value));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field ${quote(key)}; check its spelling or remove it` }));
    case 'invalid_type':
      if (path.length === 0) return one(`the document must be a JSON object like {"version": 1, "name": "lab", "nodes": [], "links": []}, not ${typeName(value)}`);
      if (!found || value === undefined) return one(`${label} is missing; add it`);
      return one(`${label} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${typeName(value)} ${typeof value === 'object' ? '' : quote(value)}`.trimEnd());
    case 'invalid_value': {
      const allowed = issue.values.map((v) => quote(v)).join(', ');
      if (path.length === 1 && path[0] === 'version') {
        return one(found ? `version ${quote(value)} is not supported; this app reads documents of version ${allowed}` : `version is missing; add "version": ${allowed}`);
      }
      return one(found ? `${label} ${quote(value)} is not allowed; use one of ${allowed}` : `${label} is missing; use one of ${allowed}`);
    }
    case 'invalid_union': {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.join(', ') : '';
      if (!options) return one(`${label} does not match any allowed form`);
      return one(found ? `${label} ${quote(value)} is not known; use one of ${options}` : `${label} is missing; set it to one of ${options}`);
    }
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const limit = Number(big ? issue.maximum : issue.minimum);
      if (issue.origin === 'string') return one(big ? `${label} is longer than ${limit} characters; shorten it` : `${label} is shorter than ${limit} characters; fill it in`);
      if (issue.origin === 'array') return one(`${label} has ${Array.isArray(value) ? value.length : 'too many'} entries; ${big ? 'at most' : 'at least'} ${limit} are allowed`);
      return one(`${label} ${quote(value)} is too ${big ? 'large; the largest' : 'small; the smallest'} allowed is ${limit}`);
    }
    default:
      return one(`${label}: ${issue.message}`);
  }
}

function schemaProblems(issues: readonly Issue[], root: unknown): Problem[] {
  // One problem per field: an empty name is also "not a valid name", which adds nothing.
  const seen = new Set<string>();
  return issues.flatMap((issue) =>
    describeIssue(issue, root).flatMap(({ path, message }) => {
      const text = formatPath(path);
      if (seen.has(text)) return [];
      seen.add(text);
      return [{ severity: 'error' as const, element: elementAt(root, path), path: text, message }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Malformed JSON

interface JsonError {
  offset: number;
  expected: string;
}

const EXPECTATIONS = {
  value: 'a value: a "string", a number, true, false, null, an {object} or a [list]',
  key: 'a field name in double quotes',
  colon: '":" after the field name',
};

/** Points at the first character that breaks the JSON grammar; iterative, so deep nesting cannot overflow. */
function findJsonError(text: string): JsonError | undefined {
  const stack: string[] = [];
  let want: 'value' | 'key' | 'colon' | 'after' = 'value';
  let opened = false;
  let i = 0;
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    const top = stack.at(-1);
    const close = top === '{' ? '}' : ']';
    const fail = (): JsonError => ({ offset: i, expected: want === 'after' ? `"," or "${close}"` : EXPECTATIONS[want] });
    if (want === 'after' && top === undefined) return c === undefined ? undefined : { offset: i, expected: 'nothing after the end of the document' };
    if (c === undefined) return fail();
    if (opened && c === close) {
      stack.pop();
      i++;
      want = 'after';
      opened = false;
      continue;
    }
    opened = false;
    if (want === 'value') {
      if (c === '{' || c === '[') {
        stack.push(c);
        want = c === '{' ? 'key' : 'value';
        opened = true;
        i++;
        continue;
      }
      if (c === '"') {
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
      } else {
        number.lastIndex = i;
        const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        const length = literal?.length ?? (number.test(text) ? number.lastIndex - i : 0);
        if (length === 0) return fail();
        i += length;
      }
      want = 'after';
    } else if (want === 'key') {
      if (c !== '"') return fail();
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      want = 'colon';
    } else if (want === 'colon') {
      if (c !== ':') return fail();
      i++;
      want = 'value';
    } else {
      if (c === ',') want = top === '{' ? 'key' : 'value';
      else if (c === close) stack.pop();
      else return fail();
      i++;
    }
  }
}

function scanString(text: string, start: number): number | JsonError {
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"') return j + 1;
    if (c < ' ') return { offset: j, expected: 'the closing " of the string on the same line' };
    if (c !== '\\') continue;
    const escape = text[j + 1] ?? '';
    if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) j += 5;
    else if (escape !== '' && '"\\/bfnrt'.includes(escape)) j++;
    else return { offset: j, expected: 'a valid escape after the backslash, such as \\n, \\" or \\\\' };
  }
  return { offset: text.length, expected: 'the closing " of the string' };
}

function jsonProblem(text: string, error: unknown): Problem {
  const found = findJsonError(text);
  if (!found) return documentProblem('', `the file is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - before.lastIndexOf('\n');
  const at = text[found.offset];
  const what = at === undefined ? 'the file ends' : `unexpected ${quote(at)}`;
  return documentProblem('', `the file is not valid JSON: ${what} at line ${line}, column ${column}; expected ${found.expected}`);
}

// ---------------------------------------------------------------------------------------------
// Semantic checks

/** Interface names the kernel refuses or already has in every namespace. */
const RESERVED_IFNAMES = new Set(['lo', 'all', 'default']);

/** Shared lookups for the checks. */
interface Context {
  r: Resolved;
  out: Problem[];
  /** Index in doc.nodes of the first node with each id. */
  nodeIndex: Map<string, number>;
  segments: Map<number, Segment>;
  /** Owner of each address (`family:value`), first come. */
  owners: Map<string, Iface>;
  /** One subnet per family and segment: the first address's. */
  segmentSubnets: Map<number, Cidr[]>;
  /** Interface that each namespace's default route points at, per node id. */
  defaultGateways: Map<string, Iface>;
}

const ipKey = (family: Family, value: bigint) => `${family}:${value}`;

function checkSemantics(r: Resolved): Problem[] {
  const nodeIndex = new Map<string, number>();
  r.doc.nodes.forEach((n, i) => {
    if (!nodeIndex.has(n.id)) nodeIndex.set(n.id, i);
  });
  const ctx: Context = {
    r,
    out: [],
    nodeIndex,
    segments: new Map(r.segments.map((s) => [s.id, s])),
    owners: new Map(),
    segmentSubnets: new Map(),
    defaultGateways: new Map(),
  };
  checkIds(ctx);
  checkNames(ctx);
  checkLinks(ctx);
  checkAddresses(ctx);
  checkRoutes(ctx);
  checkNat(ctx);
  checkProbes(ctx);
  return ctx.out;
}

function report(ctx: Context, severity: Problem['severity'], element: string | null, path: string, message: string): void {
  ctx.out.push({ severity, element, path, message });
}

/** `veth-red on red`, `the bridge vnet0`, `veth-red-host on the host`. */
function describeIface(i: Iface): string {
  if (i.kind === 'bridge') return `the bridge ${i.name}`;
  return `${i.name} on ${i.netns ?? 'the host'}`;
}

/** The segment's label, shortened when many bridges are joined into it. */
function segmentLabel(segment: Segment): string {
  if (segment.bridges.length <= 3) return segment.label;
  return `${segment.bridges.slice(0, 3).join('+')}+… (${segment.bridges.length} joined bridges)`;
}

function checkIds(ctx: Context): void {
  const { doc } = ctx.r;
  const collections: [string, string, { id: string }[]][] = [
    ['nodes', 'node', doc.nodes],
    ['links', 'link', doc.links],
    ['nat.masquerade', 'masquerade rule', doc.nat.masquerade],
    ['nat.portForwards', 'port forward', doc.nat.portForwards],
    ['probes', 'probe', doc.probes],
    ['notes', 'note', doc.notes],
  ];
  const seen = new Map<string, string>();
  for (const [key, what, list] of collections) {
    list.forEach((item, i) => {
      const first = seen.get(item.id);
      if (first) report(ctx, 'error', item.id, `${key}[${i}].id`, `id "${item.id}" is already used by the ${first}; give every element its own id`);
      else seen.set(item.id, `${what} at ${key}[${i}]`);
    });
  }
  let firstHost: string | undefined;
  doc.nodes.forEach((n, i) => {
    if (n.kind !== 'host') return;
    if (firstHost === undefined) firstHost = n.id;
    else report(ctx, 'error', n.id, `nodes[${i}].kind`, `only one Host node is allowed and ${firstHost} already is one; remove this one`);
  });
}

/** Where an interface's name is written, and how to change it. */
function nameField(ctx: Context, i: Iface): { path: string; fix: string } {
  if (i.kind === 'bridge') {
    const node = ctx.r.nodes.get(i.element);
    return { path: `${i.path}.${node?.kind === 'bridge' && node.name !== undefined ? 'name' : 'id'}`, fix: 'pick another name' };
  }
  if (i.generated) return { path: i.path, fix: `the name was generated, so set "ifname" on this end to another name` };
  return { path: `${i.path}.ifname`, fix: 'pick another name' };
}

function checkNames(ctx: Context): void {
  const { r } = ctx;
  const namespaces = new Map<string, string>();
  for (const [id, netns] of r.netnsOf) {
    const other = namespaces.get(netns);
    const index = ctx.nodeIndex.get(id)!;
    const node = r.doc.nodes[index];
    if (other === undefined) namespaces.set(netns, id);
    else report(ctx, 'error', id, `nodes[${index}].${node?.kind === 'namespace' && node.name !== undefined ? 'name' : 'id'}`, `namespace name "${netns}" is already used by node ${other}; pick another name`);
  }

  // Root-namespace names first: namespace ends are created there too before they move.
  const root = new Map<string, string>();
  const host = r.hostId === undefined ? undefined : r.nodes.get(r.hostId);
  if (host?.kind === 'host') root.set(host.uplink, "the host's uplink");
  const rootIfaces = r.ifaces.filter((i) => i.netns === null);
  const nsIfaces = r.ifaces.filter((i) => i.netns !== null);
  for (const i of [...rootIfaces, ...nsIfaces]) {
    const { path, fix } = nameField(ctx, i);
    const what = i.kind === 'bridge' ? 'bridge name' : 'interface name';
    if (RESERVED_IFNAMES.has(i.name)) {
      report(ctx, 'error', i.element, path, `${what} "${i.name}" is reserved by the kernel ("lo" is the loopback device, "all" and "default" name sysctl settings); ${fix}`);
      continue;
    }
    const rootOwner = root.get(i.name);
    if (i.netns === null) {
      if (rootOwner) report(ctx, 'error', i.element, path, `${what} "${i.name}" is already used by ${rootOwner} in the host's root namespace; ${fix}`);
      else root.set(i.name, describeIface(i));
    } else if (rootOwner) {
      report(ctx, 'error', i.element, path, `interface name "${i.name}" is also used by ${rootOwner} in the host's root namespace, where veth ends are created before moving into ${i.netns}; ${fix}`);
    }
  }
  const perNamespace = new Map<string, Iface>();
  for (const i of nsIfaces) {
    const key = `${i.netns}\u0000${i.name}`;
    const other = perNamespace.get(key);
    if (!other) perNamespace.set(key, i);
    else if (!RESERVED_IFNAMES.has(i.name)) {
      const { path, fix } = nameField(ctx, i);
      report(ctx, 'error', i.element, path, `interface name "${i.name}" is already used in namespace ${i.netns} by link ${other.element}; ${fix}`);
    }
  }
}

function checkLinks(ctx: Context): void {
  const { r } = ctx;
  const bridgeParent = new Map<string, string>();
  const findBridge = (id: string): string => {
    let x = id;
    for (let up = bridgeParent.get(x); up !== undefined; up = bridgeParent.get(x)) {
      const grand = bridgeParent.get(up);
      if (grand !== undefined) bridgeParent.set(x, grand);
      x = up;
    }
    return x;
  };
  let uplinkLink: number | undefined;
  r.doc.links.forEach((link, index) => {
    const base = `links[${index}]`;
    const ends = (['a', 'b'] as const).map((side) => ({ side, end: link[side], node: r.nodes.get(link[side].node) }));
    const missing = ends.filter((e) => !e.node);
    for (const e of missing) report(ctx, 'error', link.id, `${base}.${e.side}.node`, `node "${e.end.node}" does not exist; connect this end to an existing node`);
    if (missing.length > 0) return;
    const [a, b] = ends as [(typeof ends)[0] & { node: Node }, (typeof ends)[0] & { node: Node }];
    if (link.a.node === link.b.node) {
      report(ctx, 'error', link.id, `${base}.b.node`, `this link connects ${link.a.node} to itself; connect the other end to a different node`);
      return;
    }
    const internet = [a, b].find((e) => e.node.kind === 'internet');
    if (internet) {
      const other = internet === a ? b : a;
      if (other.node.kind !== 'host') {
        report(ctx, 'error', link.id, `${base}.${other.side}.node`, `the Internet node can only be linked to the Host node, not to ${other.node.kind} ${other.node.id}; link ${other.node.id} to a bridge or the host instead`);
        return;
      }
      if (uplinkLink !== undefined) report(ctx, 'error', link.id, base, `the host is already linked to the Internet by links[${uplinkLink}]; remove this link`);
      uplinkLink ??= index;
      for (const e of [a, b]) {
        if (e.end.addresses.length > 0) report(ctx, 'error', link.id, `${base}.${e.side}.addresses`, `a link to the Internet node takes no addresses (the host's uplink ${r.uplink ?? ''} already has its own); remove them`);
        if (e.end.ifname !== undefined) {
          const fix = e === internet ? 'the Internet node has no interface, so remove "ifname"' : 'set the uplink interface in the Host node\'s "uplink" field and remove "ifname" here';
          report(ctx, 'error', link.id, `${base}.${e.side}.ifname`, `a link to the Internet node uses the host's uplink; ${fix}`);
        }
      }
      return;
    }
    if (a.node.kind === 'host' && b.node.kind === 'host') {
      report(ctx, 'error', link.id, base, 'a link cannot join two Host nodes: there is only one host; remove this link');
      return;
    }
    for (const e of [a, b]) {
      const first = e.end.addresses[0];
      if (e.node.kind === 'bridge' && first !== undefined) {
        report(ctx, 'error', link.id, `${base}.${e.side}.addresses`, `the bridge side of a link is a bridge port and takes no address; put ${first} on the bridge node ${e.node.id} (its "addresses") instead`);
      }
    }
    if (a.node.kind === 'bridge' && b.node.kind === 'bridge') {
      const [x, y] = [findBridge(a.node.id), findBridge(b.node.id)];
      if (x === y) report(ctx, 'warning', link.id, base, `bridges ${a.node.id} and ${b.node.id} are already connected, so this link makes a loop where frames circle forever; remove it`);
      else bridgeParent.set(x, y);
    }
  });
}

function checkAddresses(ctx: Context): void {
  const { r } = ctx;
  const subnetSegments = new Map<string, Segment>();
  for (const segment of r.segments) {
    const subnets: Cidr[] = [];
    for (const i of segment.members) {
      i.addresses.forEach((cidr, j) => {
        const path = `${i.path}.addresses[${j}]`;
        const subnet = subnetText(cidr);
        if (isNetworkOrBroadcast(cidr)) {
          const role = cidr.value === networkOf(cidr) ? 'network' : 'broadcast';
          report(ctx, 'error', i.element, path, `address ${cidr.text} is the ${role} address of ${subnet}; pick a host address inside it`);
        }
        const key = ipKey(cidr.family, cidr.value);
        const owner = ctx.owners.get(key);
        if (owner) report(ctx, 'error', i.element, path, `address ${cidr.text} is already used by ${describeIface(owner)}; pick another address in ${subnet}`);
        else ctx.owners.set(key, i);
        const expected = subnets.find((s) => s.family === cidr.family);
        if (!expected) {
          subnets.push(cidr);
          const elsewhere = subnetSegments.get(subnet);
          if (elsewhere) report(ctx, 'warning', i.element, path, `subnet ${subnet} is also used on segment ${segmentLabel(elsewhere)}, so routes to it are ambiguous; use a different subnet on segment ${segmentLabel(segment)}`);
          else subnetSegments.set(subnet, segment);
        } else if (subnetText(expected) !== subnet) {
          report(ctx, 'error', i.element, path, `address ${cidr.text} is not in ${subnetText(expected)}, the subnet of segment ${segmentLabel(segment)}; use an address in ${subnetText(expected)}`);
        }
      });
    }
    ctx.segmentSubnets.set(segment.id, subnets);
  }
}

function isDefaultRoute(to: string): boolean {
  return to === 'default' || to === 'default6' || parseCidr(to)?.prefix === 0;
}

function routeFamily(to: string): Family {
  if (to === 'default') return 4;
  if (to === 'default6') return 6;
  return parseCidr(to)?.family ?? 4;
}

/** An address on the interface's segment that lives in the host, of the given family. */
function hostAddressNear(ctx: Context, i: Iface, family: Family): Cidr | undefined {
  const members = ctx.segments.get(i.segment)?.members ?? [];
  return members.filter((m) => m.netns === null).flatMap((m) => m.addresses).find((c) => c.family === family);
}

function checkRoutes(ctx: Context): void {
  const { r } = ctx;
  r.doc.nodes.forEach((node, k) => {
    if (node.kind !== 'namespace' && node.kind !== 'host') return;
    const own = r.l3ByNode.get(node.id) ?? [];
    const uplink = node.kind === 'host' ? node.uplink : undefined;
    const self = node.kind === 'namespace' ? (r.netnsOf.get(node.id) ?? node.id) : 'the host';
    const seen = new Map<string, number>();
    node.routes.forEach((route, j) => {
      const base = `nodes[${k}].routes[${j}]`;
      const family = routeFamily(route.to);
      const dest = parseCidr(route.to);
      const isDefault = isDefaultRoute(route.to);
      if (dest && networkOf(dest) !== dest.value) {
        report(ctx, 'error', node.id, `${base}.to`, `route destination ${route.to} has host bits set; write the subnet ${subnetText(dest)}`);
      }
      const key = `${family}:${dest && !isDefault ? subnetText(dest) : 'default'}:${route.metric ?? ''}`;
      const previous = seen.get(key);
      if (previous !== undefined) report(ctx, 'error', node.id, `${base}.to`, `${self} already has a route to ${route.to} (routes[${previous}]); remove one or give them different metrics`);
      else seen.set(key, j);

      const names = [...own.map((i) => i.name), ...(uplink ? [uplink] : [])];
      if (route.dev !== undefined && !names.includes(route.dev)) {
        const choices = names.length > 0 ? `use one of ${names.slice(0, 8).join(', ')}` : 'connect it with a link first';
        report(ctx, 'error', node.id, `${base}.dev`, `${self} has no interface "${route.dev}"; ${choices}`);
        return;
      }
      const gw = route.via === undefined ? undefined : parseIp(route.via);
      if (!gw) return;
      const via = formatIp(gw.family, gw.value);
      if (gw.family !== family) {
        const fix = isDefault ? `use "${family === 4 ? 'default6' : 'default'}" for an IPv${gw.family} default route` : `use an IPv${family} gateway`;
        report(ctx, 'error', node.id, `${base}.via`, `gateway ${via} is IPv${gw.family} but the destination ${route.to} is IPv${family}; ${fix}`);
        return;
      }
      if (route.dev !== undefined && route.dev === uplink) return;
      const candidates = route.dev === undefined ? own : own.filter((i) => i.name === route.dev);
      const connected = candidates.find((i) => i.addresses.some((c) => contains(c, gw.family, gw.value)));
      if (!connected) {
        const subnets = [...new Set(candidates.flatMap((i) => i.addresses.map((c) => subnetText(c))))];
        const list = subnets.length > 0 ? ` (${subnets.join(', ')})` : '';
        if (node.kind === 'host') {
          report(ctx, 'warning', node.id, `${base}.via`, `gateway ${via} is not on any lab subnet of the host${list}; if it is on the network of the uplink ${uplink}, add "dev": "${uplink}"`);
        } else {
          report(ctx, 'error', node.id, `${base}.via`, `gateway ${via} is not on any connected subnet of ${self}${list}; use an address in one of them or connect ${self} to that network`);
        }
        return;
      }
      const owner = ctx.owners.get(ipKey(gw.family, gw.value));
      const segment = ctx.segments.get(connected.segment);
      if (owner && own.includes(owner)) {
        report(ctx, 'error', node.id, `${base}.via`, `gateway ${via} is ${self}'s own address; use the address of the next router`);
      } else if (!owner || owner.segment !== connected.segment) {
        const prefix = connected.addresses.find((c) => contains(c, gw.family, gw.value))!.prefix;
        const others = (segment?.members ?? []).filter((m) => !own.includes(m));
        const target = node.kind === 'namespace' && segment && segment.bridges.length > 0 ? `the bridge ${segment.bridges[0]}` : others[0] ? describeIface(others[0]) : 'a node on that segment';
        const effect = isDefault ? `${self} has no way out` : `traffic to ${route.to} goes nowhere`;
        report(ctx, 'error', node.id, `${base}.via`, `gateway ${via} is not the address of anything on segment ${segment ? segmentLabel(segment) : connected.name}, so ${effect}; give ${target} the address ${via}/${prefix}`);
      } else {
        const ownerNode = r.nodes.get(owner.node);
        if (ownerNode?.kind === 'namespace' && !(ownerNode.forwarding ?? ownerNode.router)) {
          const ns = owner.netns ?? ownerNode.id;
          const fix = ownerNode.forwarding === false ? `remove "forwarding": false from ${ownerNode.id}` : `mark ${ownerNode.id} as a router ("router": true)`;
          report(ctx, 'warning', node.id, `${base}.via`, `gateway ${via} belongs to ${ns}, which does not forward packets; ${fix}`);
        }
        if (isDefault && node.kind === 'namespace') ctx.defaultGateways.set(node.id, owner);
      }
    });
  });
}

function overlaps(x: Cidr, y: Cidr): boolean {
  return x.family === y.family && (contains(x, y.family, networkOf(y)) || contains(y, x.family, networkOf(x)));
}

function checkNat(ctx: Context): void {
  const { r } = ctx;
  const { masquerade, portForwards } = r.doc.nat;
  const rules: [string, string][] = [...masquerade.map((m, i) => [m.id, `nat.masquerade[${i}]`] as [string, string]), ...portForwards.map((p, i) => [p.id, `nat.portForwards[${i}]`] as [string, string])];
  const uplinkMissing =
    r.hostId === undefined ? 'NAT needs an uplink: add a Host node and connect it to an Internet node' : r.internetId === undefined ? `NAT needs an uplink: connect the Host node ${r.hostId} to an Internet node` : undefined;
  if (uplinkMissing) for (const [id, path] of rules) report(ctx, 'error', id, path, uplinkMissing);

  const subnets = [...ctx.segmentSubnets.values()].flat();
  masquerade.forEach((m, i) => {
    const base = `nat.masquerade[${i}]`;
    if (m.out !== undefined && r.uplink !== undefined && m.out !== r.uplink) {
      report(ctx, 'warning', m.id, `${base}.out`, `out "${m.out}" is not the host's uplink ${r.uplink}, so this traffic is not masqueraded where it leaves; leave "out" out or set it to ${r.uplink}`);
    }
    const source = parseCidr(m.source)!;
    if (!subnets.some((s) => overlaps(s, source))) {
      const list = subnets.length > 0 ? ` (${subnets.map((s) => subnetText(s)).join(', ')})` : '';
      report(ctx, 'warning', m.id, `${base}.source`, `source ${m.source} matches no subnet in the lab${list}; masquerade the subnet of the namespaces that need the outside`);
    }
  });

  const forwarded = new Map<string, string>();
  portForwards.forEach((p, i) => {
    const base = `nat.portForwards[${i}]`;
    const key = `${p.proto}:${p.hostPort}`;
    const first = forwarded.get(key);
    if (first) report(ctx, 'error', p.id, `${base}.hostPort`, `${p.proto} port ${p.hostPort} is already forwarded by ${first}; pick another host port`);
    else forwarded.set(key, p.id);
    const ip = parseIp(p.to)!;
    const owner = ctx.owners.get(ipKey(ip.family, ip.value));
    if (!owner || owner.netns === null) {
      const example = r.ifaces.find((i) => i.netns !== null && i.addresses.length > 0)?.addresses[0];
      const hint = example ? ` such as ${formatIp(example.family, example.value)}` : '';
      report(ctx, 'error', p.id, `${base}.to`, `${p.to} is not the address of any namespace; forward to a namespace address${hint}`);
      return;
    }
    const target = r.nodes.get(owner.node);
    const hasDefault = target?.kind === 'namespace' && target.routes.some((route) => isDefaultRoute(route.to) && routeFamily(route.to) === ip.family);
    if (!hasDefault) {
      const gw = hostAddressNear(ctx, owner, ip.family);
      const via = gw ? ` via ${formatIp(gw.family, gw.value)}` : ' via the host';
      report(ctx, 'warning', p.id, `${base}.to`, `${owner.netns} has no default route, so replies to outside clients cannot return; add a default route in ${owner.netns}${via}`);
    }
  });

  // Without an uplink there is no outside to resolve names on, so no DNS advice.
  if (r.internetId === undefined) return;
  for (const [id, gateway] of ctx.defaultGateways) {
    const node = r.nodes.get(id);
    if (node?.kind !== 'namespace' || gateway.netns !== null || node.dns.length > 0) continue;
    const ns = r.netnsOf.get(id) ?? id;
    report(ctx, 'warning', id, `nodes[${ctx.nodeIndex.get(id)}].dns`, `${ns} reaches the outside through the host but has no "dns"; the host's resolver stub 127.0.0.53 is unreachable inside a namespace, so add dns: ["1.1.1.1"]`);
  }
}

function hasAddress(r: Resolved, node: Node): boolean {
  if (node.kind === 'internet') return node.target !== undefined;
  if (node.kind === 'bridge') return node.addresses.length > 0;
  return (r.l3ByNode.get(node.id) ?? []).some((i) => i.addresses.length > 0);
}

function checkProbes(ctx: Context): void {
  const { r } = ctx;
  r.doc.probes.forEach((probe, i) => {
    const base = `probes[${i}]`;
    const from = r.nodes.get(probe.from);
    if (!from) report(ctx, 'error', probe.id, `${base}.from`, `node "${probe.from}" does not exist; run the probe from a namespace or the host`);
    else if (from.kind !== 'namespace' && from.kind !== 'host') {
      report(ctx, 'error', probe.id, `${base}.from`, `probes run in a namespace or on the host, and ${from.id} is a ${from.kind} node; pick a namespace or the host`);
    }
    const to = r.nodes.get(probe.to);
    if (to && !hasAddress(r, to)) report(ctx, 'error', probe.id, `${base}.to`, `node ${to.id} has no address to probe; give it an address or write an IP address instead`);
    else if (!to && !parseIp(probe.to)) report(ctx, 'error', probe.id, `${base}.to`, `${quote(probe.to)} is neither a node id nor an IP address; write a node id or an address like 192.168.15.2`);
    if (probe.kind === 'tcp' && probe.port === undefined) report(ctx, 'error', probe.id, `${base}.port`, 'a tcp probe needs a port; add "port", e.g. 80');
    if (probe.kind === 'ping' && probe.port !== undefined) report(ctx, 'error', probe.id, `${base}.port`, 'a ping probe takes no port; remove "port" or use "kind": "tcp"');
  });
}
