/**
 * The contract's checks: top-level size caps (before zod walks millions of elements), then the
 * zod schema, its issues turned into problems that name the element, the field and the fix.
 */
import { z } from 'zod';
import { Link, Node, TopologyDocument, topologyJsonSchema } from '../../model/topology.js';
import type { Problem } from '../problems.js';
import { elementAt, formatPath, isRecord, quote, typeName, valueAt, type PathKey } from './format.js';
import { documentProblem } from './results.js';

let arrayCaps: [string, number][] | undefined;

/** Top-level array caps, read from the schema so they stay in one place. */
function topLevelCaps(): [string, number][] {
  arrayCaps ??= Object.entries((topologyJsonSchema().properties ?? {}) as Record<string, { maxItems?: number }>).flatMap(([key, p]) =>
    p.maxItems !== undefined ? [[key, p.maxItems] as [string, number]] : [],
  );
  return arrayCaps;
}

/** Refuses oversized arrays before zod walks millions of elements. */
export function oversizedArrays(input: unknown): Problem[] {
  if (!isRecord(input)) return [];
  return topLevelCaps().flatMap(([key, cap]) => {
    const list = Object.hasOwn(input, key) ? input[key] : undefined;
    if (!Array.isArray(list) || list.length <= cap) return [];
    return [documentProblem(key, `the document has ${list.length} ${key}; at most ${cap} are supported, so split the lab into smaller ones`)];
  });
}

/** Documents with at least this many nodes and links take the compiled path (below, compiling costs more than it saves). */
export const COMPILED_PARSE_MIN = 1000;

let compiled: { node: typeof Node; link: typeof Link } | undefined;

/**
 * The schema's parse of a document. A large lab's nodes and links go one by one through zod's
 * compiled parsers (z.compile: generated code, small enough for V8 to optimize while the list is
 * parsed, several times faster than the runtime parser), and the rest of the document through
 * the schema itself with empty lists. Whatever fails there sends the whole document to the
 * runtime parser, so the issues are always the schema's own, and a valid document comes out as
 * the schema makes it. Not where eval is forbidden: the renderer sets jitless (no-eval.ts).
 */
export function parseDocument(input: unknown): z.ZodSafeParseResult<TopologyDocument> {
  const fast = z.config().jitless ? undefined : parseCompiled(input);
  return fast ? { success: true, data: fast } : TopologyDocument.safeParse(input, { reportInput: true });
}

function parseCompiled(input: unknown): TopologyDocument | undefined {
  // A plain object only: spreading it below must copy everything the schema reads.
  if (!isRecord(input) || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  const { nodes, links } = input;
  if (!Array.isArray(nodes) || !Array.isArray(links) || nodes.length + links.length < COMPILED_PARSE_MIN) return undefined;
  compiled ??= { node: z.compile(Node), link: z.compile(Link) };
  const parsedNodes = parseEach(compiled.node, nodes);
  const parsedLinks = parsedNodes && parseEach(compiled.link, links);
  if (!parsedNodes || !parsedLinks) return undefined;
  // The lists' own rule is their length, which oversizedArrays checked before.
  const rest = TopologyDocument.safeParse({ ...input, nodes: [], links: [] });
  if (!rest.success) return undefined;
  return { ...rest.data, nodes: parsedNodes, links: parsedLinks };
}

function parseEach<T>(schema: z.ZodType<T>, list: unknown[]): T[] | undefined {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) {
    const parsed = schema.safeParse(list[i]);
    if (!parsed.success) return undefined;
    out.push(parsed.data);
  }
  return out;
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
  if (/^(is|needs|has) /.test(message)) return `${label}${typeof value === 'string' ? ` ${quote(value)}` : ''} ${message}`;
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

/** One problem per field for the schema's issues. */
export function schemaProblems(issues: readonly Issue[], root: unknown): Problem[] {
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
