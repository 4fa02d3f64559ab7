/**
 * The validator: turns a parsed document (or JSON text) into either a schema-valid, resolved
 * document or a list of problems, each naming the element, the field and the fix. Stages:
 * bytes (strict UTF-8: decodeUtf8, called where files are read) -> JSON syntax (json.ts) ->
 * size caps and the zod contract (schema.ts) -> the semantic rule groups, one file each (ids,
 * names, links, netem, addresses, routes, nat, probes, services), checked on the resolved view so that generated
 * interface names and L2 segments are judged exactly as the planner will use them.
 */
import { byteLength, resolve, type Resolved } from '../../model/resolve.js';
import { hasErrors, type Problem } from '../problems.js';
import { checkAddresses } from './addresses.js';
import { createContext } from './context.js';
import { checkIds } from './ids.js';
import { jsonProblem } from './json.js';
import { checkLinks } from './links.js';
import { checkNames } from './names.js';
import { checkNat } from './nat.js';
import { checkNetem } from './netem.js';
import { checkProbes } from './probes.js';
import { documentProblem, failure, sortProblems, type ValidationResult } from './results.js';
import { checkRoutes } from './routes.js';
import { checkServices } from './services.js';
import { oversizedArrays, parseDocument, schemaProblems } from './schema.js';

export { MAX_PROBLEMS, type ValidationResult } from './results.js';
export { decodeUtf8, InvalidUtf8Error } from './json.js';

/** Largest JSON text validateText reads, in bytes. */
export const MAX_TEXT_BYTES = 20 * 1024 * 1024;

/** Checks a parsed document: size caps, the schema, then every semantic rule. */
export function validate(input: unknown): ValidationResult {
  const oversized = oversizedArrays(input);
  if (oversized.length > 0) return failure(oversized);
  const parsed = parseDocument(input);
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

/** Every semantic rule group, in order: later groups read what earlier ones recorded in the context. */
function checkSemantics(r: Resolved): Problem[] {
  const ctx = createContext(r);
  checkIds(ctx);
  checkNames(ctx);
  checkLinks(ctx);
  checkNetem(ctx);
  checkAddresses(ctx);
  checkRoutes(ctx);
  checkNat(ctx);
  checkProbes(ctx);
  checkServices(ctx);
  return ctx.out;
}
