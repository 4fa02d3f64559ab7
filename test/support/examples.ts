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

/** The shape of the port-forward example that dualStackPortForward() changes. */
export interface PortForwardDoc {
  nodes: { id: string; addresses?: string[]; routes?: { to: string; via: string }[]; services?: { command: string }[] }[];
  links: { id: string; a: { addresses?: string[] } }[];
  nat: { masquerade: unknown[]; portForwards: unknown[] };
}

/**
 * The port-forward example with IPv6 beside IPv4: fd00:15::/64 on the bridge (the host .5, red
 * ::1, blue ::2, each with a default6 route via the host) and a second forward, 8080, to blue's
 * IPv6 address (web6).
 */
export function dualStackPortForward(): PortForwardDoc {
  const doc = loadExample('05-port-forward') as PortForwardDoc;
  const node = (id: string) => doc.nodes.find((n) => n.id === id)!;
  node('vnet0').addresses!.push('fd00:15::5/64');
  for (const [id, host] of [['red', 1], ['blue', 2]] as const) {
    node(id).routes!.push({ to: 'default6', via: 'fd00:15::5' });
    doc.links.find((l) => l.id === `${id}-vnet0`)!.a.addresses!.push(`fd00:15::${host}/64`);
  }
  doc.nat.portForwards.push({ id: 'web6', proto: 'tcp', hostPort: 8080, to: 'fd00:15::2', toPort: 80 });
  return doc;
}
