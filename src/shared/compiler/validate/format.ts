/**
 * How the validator names things in messages: field paths, quoted values, and where in the raw
 * input a path points.
 */

import { ONE_LINE_TEXT_PATTERN } from '../../model/topology.js';

/** A key in a field path: a property name or a list index. */
export type PathKey = PropertyKey;

/** `links[2].a.addresses[0]`; odd keys in brackets. */
export function formatPath(path: readonly PathKey[]): string {
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
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(short).replace(/[^\x20-\x7e]/g, (c) => (c === '…' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeName(value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks own properties only, so `__proto__` and friends are plain keys. */
export function valueAt(root: unknown, path: readonly PathKey[]): { found: boolean; value?: unknown } {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value };
}

/**
 * The id of the element a path points into, when the raw element has a string id (even an
 * invalid one, so the editor still finds the element); an id with a control character (a
 * newline would split the one-line diagnostic) leaves the problem to its path.
 */
export function elementAt(root: unknown, path: readonly PathKey[]): string | null {
  const depth = path[0] === 'nat' ? 3 : 2;
  const [first, second] = path[0] === 'nat' ? [path[1], path[2]] : [path[0], path[1]];
  const collections = path[0] === 'nat' ? ['masquerade', 'portForwards'] : ['nodes', 'links', 'probes', 'notes'];
  if (typeof first !== 'string' || !collections.includes(first) || typeof second !== 'number') return null;
  const id = valueAt(valueAt(root, path.slice(0, depth)).value, ['id']).value;
  return typeof id === 'string' && ONE_LINE_TEXT_PATTERN.test(id) ? id : null;
}
