/**
 * The plain commands of each shipped example (nsd compile --plain), run for real in a sandbox
 * lab host: the script builds the lab, lab.sh's probes pass on what it built, and the removal
 * commands at its end leave the lab host as it was (the forwarding sysctl aside, which the
 * script leaves for the reader to put back).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { plainCleanup, renderPlain } from '../../src/shared/compiler/render-plain.js';
import { readExamples } from '../../src/main/package-paths.js';
import { requireLab, withSandbox, type RunResult } from './sandbox.js';

const skip = requireLab('the plain-commands lab tests (test/lab/plain.test.ts)');

function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The snapshot without its sysctl section. */
function withoutSysctl(snapshot: string): string {
  return snapshot.replace(/## sysctl\n[^#]*/, '');
}

describe.skipIf(skip).sequential('plain commands of the examples in a sandbox lab host', () => {
  for (const example of readExamples()) {
    it(
      `${example.id}: the plain commands build the lab, its probes pass, and the removal commands undo it`,
      async () => {
        const result = compile(example.doc);
        if (!result.ok) throw new Error(`${example.id} does not compile`);
        const plain = renderPlain(result.plan, { up: result.up, down: result.down });
        await withSandbox(async (sb) => {
          const before = await sb.snapshot();
          const up = await sb.runScript(plain);
          expect(up.code, `${example.id}: plain up\n${show(up)}`).toBe(0);
          expect(await sb.snapshot(), `${example.id}: the plain commands built nothing`).not.toBe(before);
          const verify = await sb.runScript(result.script, ['verify']);
          expect(verify.code, `${example.id}: lab.sh verify after the plain commands\n${show(verify)}`).toBe(0);
          const cleanup = plainCleanup(plain);
          expect(cleanup.length).toBeGreaterThan(0);
          const down = await sb.runScript(`set -e\n${cleanup.join('\n')}\n`);
          expect(down.code, `${example.id}: the removal commands\n${show(down)}`).toBe(0);
          expect(withoutSysctl(await sb.snapshot()), `${example.id}: the lab host after the removal commands`).toBe(withoutSysctl(before));
        });
      },
      120_000,
    );
  }
});
