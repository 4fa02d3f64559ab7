/**
 * `npm run bench`: compile time and memory for generated labs of 10 to 10,000 namespaces, then
 * deploy and verify over SSH against local runs (bench/deploy.ts). Compile times are medians
 * after a warm-up; ratios compare the time per namespace with the 10-namespace baseline
 * measured in this same run (1.0 = perfectly linear); then lab.sh against the ip -batch reference
 * at 300 and 1,000 namespaces (bench/scale.ts); then the designer in Chromium with 500
 * namespaces (bench/designer.ts). `npm run bench -- compile`, `-- deploy`, `-- scale` or
 * `-- designer` runs one part. `npm run bench -- wall [N...]` (never part of the whole run) brings
 * up, verifies and downs labs of 2,000 to 10,000 namespaces (bench/wall.ts).
 */
import { compile } from '../src/shared/compiler/index.js';
import { deployBench } from './deploy.js';
import { machineLine } from './machine.js';
import { designerBench } from './designer.js';
import { scaleBench } from './scale.js';
import { bridgedLab } from './topologies.js';
import { wallBench } from './wall.js';

const SIZES = [10, 100, 1_000, 10_000];
// Issue 11: compile of 10,000 namespaces under 500 ms.
const GOAL_MS_AT_10K = 500;

const gc = (globalThis as { gc?: () => void }).gc;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Row {
  namespaces: number;
  medianMs: number;
  perNamespaceUs: number;
  heapMb: number;
  scriptMb: number;
  probes: number;
}

function measure(count: number): Row {
  const doc = bridgedLab(count);
  const runs = count >= 10_000 ? 5 : 9;
  const times: number[] = [];
  let heapMb = 0;
  let scriptMb = 0;
  let probes = 0;
  compile(doc); // warm-up
  for (let i = 0; i < runs; i++) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const start = performance.now();
    const result = compile(doc);
    times.push(performance.now() - start);
    if (!result.ok) throw new Error(`generated lab of ${count} is invalid: ${result.problems[0]?.message}`);
    heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - before) / 1e6);
    scriptMb = result.script.length / 1e6;
    probes = result.probes.length;
  }
  const medianMs = median(times);
  return { namespaces: count, medianMs, perNamespaceUs: (medianMs * 1000) / count, heapMb, scriptMb, probes };
}

function compileBench(): void {
  if (!gc) console.warn('note: run with node --expose-gc (npm run bench does) for steadier memory figures');
  console.log('compile (validate -> plan -> steps -> render), median of repeated runs\n');
  const rows = SIZES.map(measure);
  const base = rows[0]!;
  const header = ['namespaces', 'median ms', 'µs/namespace', 'ratio vs 10', 'heap MB', 'script MB', 'probes'];
  console.log(header.map((h) => h.padStart(13)).join(''));
  for (const r of rows) {
    const ratio = r.perNamespaceUs / base.perNamespaceUs;
    console.log(
      [r.namespaces, r.medianMs.toFixed(1), r.perNamespaceUs.toFixed(1), ratio.toFixed(2), r.heapMb.toFixed(1), r.scriptMb.toFixed(2), r.probes]
        .map((v) => String(v).padStart(13))
        .join(''),
    );
  }
  const big = rows.at(-1)!;
  console.log(`\ngoal: 10,000 namespaces under ${GOAL_MS_AT_10K} ms: ${big.medianMs <= GOAL_MS_AT_10K ? 'met' : 'NOT met'} (${big.medianMs.toFixed(0)} ms)`);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const parts = ['compile', 'deploy', 'scale', 'designer'];
  if (only === 'wall') {
    const sizes = process.argv.slice(3).map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`npm run bench -- wall [N...]: not a namespace count in "${process.argv.slice(3).join(' ')}"`);
    console.log(`${machineLine()}\n`);
    return wallBench(sizes.length > 0 ? sizes : undefined);
  }
  if (only !== undefined && !parts.includes(only)) throw new Error(`npm run bench -- [${parts.join('|')}]: unknown part "${only}"`);
  console.log(`${machineLine()}\n`);
  if (only === undefined || only === 'compile') compileBench();
  if (only === undefined || only === 'deploy') await deployBench();
  if (only === undefined || only === 'scale') await scaleBench();
  if (only === undefined || only === 'designer') await designerBench();
}

await main();
