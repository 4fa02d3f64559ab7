/** The bundled example documents for the tests, through the package's one examples loader. */
import { compile, type CompileResult } from '../../src/shared/compiler/index.js';
import { readExamples } from '../../src/main/package-paths.js';

export { EXAMPLES_DIR } from '../../src/main/package-paths.js';

export interface Example {
  file: string;
  name: string;
  json: unknown;
}

/** Every example, in file order. */
export function loadExamples(): Example[] {
  return readExamples().map((e) => ({ file: `${e.id}.json`, name: e.id, json: e.doc }));
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
