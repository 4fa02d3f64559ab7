/**
 * One process's compile times of a generated lab (bench/run.ts runs it for this code and for the
 * baseline of bench/baseline.ts, alternately, so neither meets a heap the other left):
 * `compile-one.ts ENTRY N RUNS` prints the times in ms as JSON, after one warm-up compile.
 */
import { pathToFileURL } from 'node:url';
import { bridgedLab } from './topologies.js';

const [entry, count, runs] = process.argv.slice(2);
const { compile } = (await import(pathToFileURL(entry!).href)) as { compile: (input: unknown) => { ok: boolean } };
const gc = (globalThis as { gc?: () => void }).gc;
const doc = bridgedLab(Number(count));
if (!compile(doc).ok) throw new Error(`${entry} finds the generated lab of ${count} invalid`);
const times: number[] = [];
for (let i = 0; i < Number(runs); i++) {
  gc?.();
  const start = performance.now();
  compile(doc);
  times.push(performance.now() - start);
}
console.log(JSON.stringify(times));
