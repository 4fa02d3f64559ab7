/**
 * A lab owns only what it made: unrelated namespaces, links and iptables rules on the lab host
 * survive up and down, and a stranger that holds one of the lab's names stops `up` before it
 * changes anything (and is left alone by `down`).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { loadExample } from '../support/examples.js';
import { requireLab, withSandbox, type RunResult, type Sandbox } from './sandbox.js';

const skip = requireLab('the lab ownership tests (test/lab/ownership.test.ts)');
const TIMEOUT = 120_000;

function scriptOf(name: string): string {
  const result = compile(loadExample(name));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.script;
}

async function sh(sb: Sandbox, command: string): Promise<RunResult> {
  const r = await sb.lab(['bash', '-c', command]);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r;
}

describe.skipIf(skip)('lab ownership', () => {
  it(
    'leaves unrelated namespaces, bridges and iptables rules as they were',
    () =>
      withSandbox(async (sb) => {
        await sh(
          sb,
          [
            'ip netns add other',
            'ip link add br-other type bridge',
            'ip link add v-other type veth peer name v-other-peer',
            'ip link set v-other-peer master br-other',
            'iptables -A FORWARD -s 10.99.0.0/16 -j ACCEPT',
            'iptables -t nat -A POSTROUTING -s 10.99.0.0/16 -o eth0 -j MASQUERADE',
          ].join(' && '),
        );
        const before = await sb.snapshot();
        const script = scriptOf('05-port-forward');
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        expect(await sb.snapshot()).toContain('br-other');
        expect((await sb.runScript(script, ['down'])).code).toBe(0);
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'refuses to start when a namespace or interface with a lab name is not its own, changing nothing, and down leaves it alone',
    () =>
      withSandbox(async (sb) => {
        await sh(sb, 'ip netns add red && ip link add vnet0 type bridge');
        const before = await sb.snapshot();
        const script = scriptOf('04-nat');
        const up = await sb.runScript(script, ['up']);
        expect(up.code).toBe(1);
        expect(up.stderr).toContain('namespace red exists and was not made by this lab (ip netns del red, or rename it in the drawing)');
        expect(up.stderr).toContain('interface vnet0 exists in the host and was not made by this lab');
        expect(await sb.snapshot()).toBe(before);
        const down = await sb.runScript(script, ['down']);
        expect(down.code).toBe(0);
        expect(down.stderr).toContain('leaving namespace red alone');
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'stops processes left in its namespaces, so down really deletes them',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf('02-bridge');
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        await sh(sb, 'ip netns exec red setsid sleep 300 </dev/null >/dev/null 2>&1 &');
        const down = await sb.runScript(script, ['down']);
        expect(down.code).toBe(0);
        expect(down.stdout).toMatch(/stopping processes in red: \d+/);
        expect(await sb.snapshot()).toBe(before);
        // A quick second up must not meet leftovers ("RTNETLINK answers: File exists").
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        expect((await sb.runScript(script, ['down'])).code).toBe(0);
      }),
    TIMEOUT,
  );
});
