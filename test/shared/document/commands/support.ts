/**
 * What the editor command tests share: commands performed on frozen documents, the validator's
 * verdict on the result, and short builders.
 */
import { validate } from '../../../../src/shared/compiler/validate/index.js';
import { formatProblem } from '../../../../src/shared/compiler/index.js';
import { CommandError, emptyDocument, perform, type Doc, type EditorCommand, type NodeInput } from '../../../../src/shared/document/commands.js';
import { loadExample } from '../../../support/examples.js';

/** Freezes a document so that any mutation by a command throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Performs commands in order on frozen documents; returns the last document and each selection. */
export function run(doc: Doc, ...cmds: EditorCommand[]): { doc: Doc; selections: (string[] | undefined)[] } {
  const selections: (string[] | undefined)[] = [];
  let current = deepFreeze(doc);
  for (const cmd of cmds) {
    const result = perform(current, cmd);
    selections.push(result.selection);
    current = deepFreeze(result.doc);
  }
  return { doc: current, selections };
}

/** The validator's errors and warnings, formatted; [] for a clean document. */
export function problems(doc: Doc): string[] {
  const v = validate(doc);
  return v.ok ? v.warnings.map((p) => formatProblem(p)) : v.problems.map((p) => formatProblem(p));
}

/** The validator's errors, formatted; [] when it accepts the document. */
export function errors(doc: Doc): string[] {
  const v = validate(doc);
  return v.ok ? [] : v.problems.filter((p) => p.severity === 'error').map((p) => formatProblem(p));
}

export const at = { x: 0, y: 0 };
export const add = (kind: NodeInput['kind'], router?: boolean): EditorCommand => ({ type: 'addNode', kind, position: at, ...(router ? { router } : {}) });
export const connect = (from: string, to: string): EditorCommand => ({ type: 'connect', from, to });
export const example = (name: string) => loadExample(name) as Doc;
export const node = (doc: Doc, id: string) => doc.nodes!.find((n) => n.id === id)!;
export const link = (doc: Doc, id: string) => doc.links!.find((l) => l.id === id)!;

/** Tutorial step 6 drawn with commands: red and blue on vnet0, which has the host address 192.168.15.5/24. */
export function tutorialBridgeLab(): Doc {
  return run(
    emptyDocument('tutorial'),
    add('namespace'),
    add('namespace'),
    add('bridge'),
    { type: 'updateNode', id: 'vnet0', patch: { addresses: ['192.168.15.5/24'] } },
    connect('red', 'vnet0'),
    connect('blue', 'vnet0'),
  ).doc;
}

/** The CommandError `f` throws. */
export function thrown(f: () => unknown): CommandError {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandError) return e;
    throw e;
  }
  throw new Error('expected a CommandError');
}
