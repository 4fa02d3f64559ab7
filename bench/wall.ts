/**
 * Issue 11's wall: `npm run bench -- wall [N...]` (default 2,000, 5,000 and 10,000) runs lab.sh up,
 * verify and down of the bench lab (bench/topologies.ts: N namespaces on bridges of 200, NAT, DNS)
 * with bash in one sandbox lab host, one size after the other, and prints each action's time, the
 * time of each phase of up (from its `[i/N] phase` progress lines, stamped as they arrive), and
 * the lab host's mount count, kernel memory (Slab) and load after up. Not part of `npm run bench`:
 * 10,000 namespaces load a small machine for half an hour. Needs root; otherwise says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../src/shared/compiler/index.js';
import { labPrerequisites, Sandbox } from '../test/lab/sandbox.js';
import { bridgedLab } from './topologies.js';

const SIZES = [2_000, 5_000, 10_000];
const LIMIT_MS = 3_600_000;
// Each output line with the time it arrived, as bash sees it.
const STAMP = 'while IFS= read -r line; do printf "%s %s\\n" "$EPOCHREALTIME" "$line"; done';
const HOST = [
  'printf "mounts %s\\n" "$(wc -l </proc/self/mountinfo)"',
  'printf "namespaces %s\\n" "$(ls /run/netns | wc -l)"',
  'awk \'/^(MemAvailable|Slab):/ { printf "%s %d\\n", $1, $2 / 1024 }\' /proc/meminfo',
  'printf "load %s\\n" "$(cut -d" " -f1-3 /proc/loadavg)"',
].join('; ');

interface Stamped {
  at: number;
  text: string;
}

/**
 * The phases of a run in order, each with its seconds from its first progress line to the next
 * one's (the last to the end). A step table prints its ranges ("[FIRST-LAST/TOTAL] PHASE") at once
 * and then runs them together: its phases make one entry, "table PHASE+PHASE...".
 */
export function phaseTimes(lines: readonly Stamped[]): { phase: string; seconds: number }[] {
  const out: { phase: string; table: boolean; start: number }[] = [];
  for (const l of lines) {
    const m = /^\[ *\d+(-\d+)?\/\d+\] (\S+)/.exec(l.text);
    if (!m) continue;
    const table = m[1] !== undefined;
    const last = out.at(-1);
    if (table && last?.table) last.phase += `+${m[2]}`;
    else if (table || last === undefined || m[2] !== last.phase || last.table) out.push({ phase: m[2]!, table, start: l.at });
  }
  const end = lines.at(-1)?.at ?? 0;
  return out.map((p, i) => ({ phase: p.table ? `table ${p.phase}` : p.phase, seconds: (out[i + 1]?.start ?? end) - p.start }));
}

async function hostState(sb: Sandbox): Promise<string> {
  const r = await sb.lab(['bash', '-c', HOST]);
  return r.stdout.trim().replaceAll('\n', ', ');
}

/** Prints the wall table; returns without measuring when the machine cannot build labs. */
export async function wallBench(sizes: readonly number[] = SIZES): Promise<void> {
  console.log('\nlab.sh up / verify / down of N namespaces on bridges of 200 (NAT, DNS), with bash in one sandbox lab host\n');
  const missing = labPrerequisites();
  if (missing) {
    console.log(`SKIPPED: ${missing}`);
    return;
  }
  const sb = await Sandbox.create({ upstream: true });
  try {
    for (const n of sizes) {
      const start = performance.now();
      const c = compile(bridgedLab(n), { source: `wall-${n}.json` });
      if (!c.ok) throw new Error(`the bench lab of ${n} does not compile: ${c.problems[0]?.message}`);
      const file = join(sb.tmpDir, `wall-${n}.sh`);
      writeFileSync(file, c.script);
      console.log(`${n} namespaces: compiled in ${((performance.now() - start) / 1000).toFixed(1)} s, ${c.probes.length} probes; lab host before: ${await hostState(sb)}`);
      for (const action of ['up', 'verify', 'down'] as const) {
        const begin = performance.now();
        const r = await sb.lab(['bash', '-c', `set -o pipefail; NSD_EVENTS=1 bash ${file} ${action} 2>&1 | ${STAMP}`], { timeoutMs: LIMIT_MS });
        const seconds = (performance.now() - begin) / 1000;
        const lines = r.stdout.split('\n').flatMap((l) => {
          const m = /^(\d+\.\d+) (.*)$/.exec(l);
          return m ? [{ at: Number(m[1]), text: m[2]! }] : [];
        });
        const said = r.code === 0 ? '' : `, exit ${r.code}: ${lines.slice(-3).map((l) => l.text).join(' / ')}${r.stderr.trim()}`;
        const phases = action === 'verify' ? '' : ` (${phaseTimes(lines).map((p) => `${p.phase} ${p.seconds.toFixed(1)} s`).join(', ')})`;
        const summary = action === 'verify' ? ` (${lines.find((l) => l.text.startsWith('verify: '))?.text ?? 'no summary'})` : '';
        console.log(`  ${action.padEnd(6)} ${seconds.toFixed(1).padStart(7)} s${phases}${summary}${said}`);
        if (action === 'up') console.log(`         lab host after up: ${await hostState(sb)}`);
        if (r.code !== 0 && action !== 'verify') break;
      }
    }
  } finally {
    await sb.destroy();
  }
}
