import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import type { Problem } from '../../src/shared/compiler/problems.js';
import { decodeUtf8, InvalidUtf8Error, MAX_PROBLEMS, validate, validateText } from '../../src/shared/compiler/validate/index.js';

const DIR = fileURLToPath(new URL('../fixtures/bad-input/', import.meta.url));

/** `NAME.expect.json` next to `NAME.json`: every problem, in order; `message` is a substring. */
interface Expectation {
  problems: Problem[];
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
  .sort()
  .map((file) => ({
    file,
    bytes: readFileSync(`${DIR}/${file}`),
    expected: (JSON.parse(readFileSync(`${DIR}/${file.replace(/\.json$/, '.expect.json')}`, 'utf8')) as Expectation).problems,
  }));

function parsedOrUndefined(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function expectProblems(problems: Problem[], expected: Problem[]): void {
  expect(problems).toEqual(expected.map((p) => ({ ...p, message: expect.stringContaining(p.message) })));
}

/** compile() must refuse the input: no script, and the validator's problems. */
function expectNoScript(input: unknown, problems: Problem[]): void {
  const result = compile(input);
  expect(result.ok).toBe(false);
  expect(result).not.toHaveProperty('script');
  if (!result.ok) expect(result.problems).toEqual(problems);
}

function rejected(text: string): Problem[] {
  const result = validateText(text);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

describe('bad input corpus', () => {
  it('holds at least 25 stored cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s is rejected with exactly the expected problems and no script', (_file, c) => {
    // Bytes come in through decodeUtf8, as in the CLI and the app's file service.
    let text: string;
    try {
      text = decodeUtf8(c.bytes);
    } catch (e) {
      if (!(e instanceof InvalidUtf8Error)) throw e;
      expectProblems([{ severity: 'error', element: null, path: '', message: e.message }], c.expected);
      return;
    }
    const problems = rejected(text);
    expectProblems(problems, c.expected);
    const parsed = parsedOrUndefined(text);
    if (parsed) expectNoScript(parsed.value, problems);
  });

  it('does not pollute Object.prototype through __proto__ or constructor keys', () => {
    const c = cases.find((x) => x.file === 'proto-pollution.json');
    expect(c).toBeDefined();
    rejected(c!.bytes.toString('utf8'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('generated huge and deep input', () => {
  const namespaces = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `ns${i}`, kind: 'namespace' }));

  it('refuses 150k nodes with one problem instead of walking them', () => {
    const doc = { version: 1, name: 'huge', nodes: namespaces(150_000) };
    const expected = [{ severity: 'error' as const, element: null, path: 'nodes', message: 'the document has 150000 nodes; at most 100000 are supported' }];
    const direct = validate(doc);
    expect(direct.ok).toBe(false);
    expectProblems(direct.ok ? [] : direct.problems, expected);
    const viaText = rejected(JSON.stringify(doc));
    expectProblems(viaText, expected);
    expectNoScript(doc, viaText);
  });

  it('refuses 250k links above the cap', () => {
    const links = Array.from({ length: 250_000 }, (_, i) => ({ id: `l${i}`, a: { node: 'x' }, b: { node: 'y' } }));
    expectProblems(rejected(JSON.stringify({ version: 1, name: 'huge', links })), [{ severity: 'error', element: null, path: 'links', message: 'the document has 250000 links; at most 200000 are supported' }]);
  });

  it('caps the problems of 20k broken probes', () => {
    const probes = Array.from({ length: 20_000 }, (_, i) => ({ id: `p${i}`, from: 'ghost', to: 'nobody' }));
    const problems = rejected(JSON.stringify({ version: 1, name: 'probes', probes }));
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expectProblems(problems.slice(0, 2), [
      { severity: 'error', element: 'p0', path: 'probes[0].from', message: 'node "ghost" does not exist' },
      { severity: 'error', element: 'p0', path: 'probes[0].to', message: '"nobody" is neither a node id nor an IP address' },
    ]);
    expect(problems.at(-1)?.message).toBe(`${40_000 - MAX_PROBLEMS} more problems are not listed; fix the ones above first`);
  });

  it('refuses text over 20 MB', () => {
    const text = JSON.stringify({ version: 1, name: 'big', description: 'x'.repeat(21 * 1024 * 1024) });
    expectProblems(rejected(text), [{ severity: 'error', element: null, path: '', message: 'the file is 21.0 MB; at most 20 MB is accepted' }]);
  });

  it('counts bytes, not characters, against the 20 MB limit', () => {
    const text = JSON.stringify({ version: 1, name: 'big', description: '\u00e9'.repeat(11 * 1024 * 1024) });
    expectProblems(rejected(text), [{ severity: 'error', element: null, path: '', message: 'at most 20 MB is accepted' }]);
  });

  it('handles 200k levels of nesting in a field', () => {
    const depth = 200_000;
    const text = `{"version": 1, "name": "deep", "title": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expectProblems(rejected(text), [{ severity: 'error', element: null, path: 'title', message: 'title must be a string, not a list' }]);
  });

  it('names the spot in 200k levels of unclosed nesting', () => {
    const text = `{"version": 1, "name": "deep", "title": ${'[{"a":'.repeat(200_000)}`;
    expectProblems(rejected(text), [{ severity: 'error', element: null, path: '', message: `the file ends at line 1, column ${text.length + 1}` }]);
  });
});
