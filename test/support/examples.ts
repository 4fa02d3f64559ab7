/** The bundled example documents, read once for the tests that use them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, type CompileResult } from '../../src/shared/compiler/index.js';

export const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', 'assets', 'examples');

export interface Example {
  file: string;
  name: string;
  json: unknown;
}

/** Every example, in file order. */
export function loadExamples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, name: file.replace(/\.json$/, ''), json: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as unknown }));
}

/** One example by file stem, e.g. `04-nat`. */
export function loadExample(name: string): unknown {
  const found = loadExamples().find((e) => e.name === name);
  if (!found) throw new Error(`no example ${name}`);
  return structuredClone(found.json);
}

/** One example compiled (with its file name as the source); throws with the problems when it does not compile. */
export function compileExample(name: string): Extract<CompileResult, { ok: true }> {
  const c = compile(loadExample(name), { source: `${name}.json` });
  if (!c.ok) throw new Error(`${name} does not compile:\n${JSON.stringify(c.problems, null, 2)}`);
  return c;
}
