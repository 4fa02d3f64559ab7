/**
 * The validator's test cases share these: a valid NAT lab and a veth pair, a patcher, and the
 * table runner that compares every problem (severity, element, path, message substring).
 */
import { expect, it } from 'vitest';
import { validate } from '../../../../src/shared/compiler/validate/index.js';

/** severity, element, path, a substring of the message. */
export type Expected = [severity: 'error' | 'warning', element: string | null, path: string, message: string];

export interface Case {
  name: string;
  /** Changes to the NAT lab below: `path -> value`, undefined deletes. */
  patch?: Record<string, unknown>;
  /** A whole document instead of a patched lab. */
  input?: unknown;
  problems: Expected[];
}

/** Tutorial step 8: a bridge with two namespaces, NAT and a port forward. Valid, no warnings. */
export const LAB = {
  version: 1,
  name: 'lab',
  nodes: [
    { id: 'internet', kind: 'internet', target: '203.0.113.1' },
    { id: 'host', kind: 'host', uplink: 'eth0' },
    { id: 'vnet0', kind: 'bridge', addresses: ['192.168.15.5/24'] },
    { id: 'red', kind: 'namespace', routes: [{ to: 'default', via: '192.168.15.5' }], dns: ['1.1.1.1'] },
    { id: 'blue', kind: 'namespace', routes: [{ to: 'default', via: '192.168.15.5' }], dns: ['1.1.1.1'] },
  ],
  links: [
    { id: 'uplink', a: { node: 'host' }, b: { node: 'internet' } },
    { id: 'red-vnet0', a: { node: 'red', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0' } },
    { id: 'blue-vnet0', a: { node: 'blue', addresses: ['192.168.15.2/24'] }, b: { node: 'vnet0' } },
  ],
  nat: {
    masquerade: [{ id: 'masq', source: '192.168.15.0/24', out: 'eth0' }],
    portForwards: [{ id: 'web', proto: 'tcp', hostPort: 80, to: '192.168.15.2' }],
  },
  probes: [{ id: 'red-to-blue', from: 'red', to: 'blue' }],
  notes: [{ id: 'note1', text: 'ignored', position: { x: 1, y: 2 } }],
};

/** Red and blue on one veth cable, no host. */
export const PAIR = {
  version: 1,
  name: 'pair',
  nodes: [
    { id: 'red', kind: 'namespace' },
    { id: 'blue', kind: 'namespace' },
  ],
  links: [{ id: 'red-blue', a: { node: 'red', ifname: 'veth-red', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', ifname: 'veth-blue', addresses: ['10.0.0.2/24'] } }],
};

export function patched(base: unknown, patch: Record<string, unknown>): unknown {
  const doc = structuredClone(base);
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split(/[.[\]]+/).filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let target = doc as Record<PropertyKey, unknown>;
    keys.slice(0, -1).forEach((key, i) => {
      target[key] ??= typeof keys[i + 1] === 'number' ? [] : {};
      target = target[key] as Record<PropertyKey, unknown>;
    });
    const last = keys.at(-1)!;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return doc;
}

export function check(input: unknown, problems: Expected[]): void {
  const result = validate(input);
  const got = result.ok ? result.warnings : result.problems;
  expect(got.map((p) => [p.severity, p.element, p.path, p.message])).toEqual(problems.map(([s, e, p, m]) => [s, e, p, expect.stringContaining(m)]));
  expect(result.ok).toBe(!problems.some(([s]) => s === 'error'));
}

export function table(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => check('input' in c ? c.input : patched(LAB, c.patch ?? {}), c.problems));
}
