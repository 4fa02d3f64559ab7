/**
 * lab.sh's step tables at scale, for real: 300 namespaces on one bridge (the lab of
 * `/work/shared/bench/bridged-lab.js 300`) made in ip batches. A second up changes nothing, down
 * leaves nothing, an up killed in the middle of its host batch is finished by the next up and
 * removed by down, and the lab's traffic passes a FORWARD policy of DROP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { bridgedLab } from '../support/scale-lab.js';
import { requireLab, run, withSandbox, type RunResult, type Sandbox } from './sandbox.js';

const skip = requireLab('the step tables at scale (test/lab/batch.test.ts)');
const COUNT = 300;
const LIMIT = { timeoutMs: 300_000 };

function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout (end)\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const done = await r;
  expect(done.code, show(done)).toBe(0);
  return done;
}

/** A PATH whose `ip -batch` runs its first `lines` lines, then kills lab.sh (an interruption in the middle of a batch). */
async function killingBatchPath(sb: Sandbox, lines: number): Promise<string> {
  const realIp = (await run(['sh', '-c', 'command -v ip'])).stdout.trim();
  const bin = join(sb.tmpDir, 'kill-batch-bin');
  mkdirSync(bin, { recursive: true });
  const script = [
    '#!/bin/bash',
    'if [[ " $* " == *" -batch "* ]]; then',
    `  head -n ${lines} | ${realIp} "$@"`,
    '  kill -9 "$PPID"',
    '  exit 1',
    'fi',
    `exec ${realIp} "$@"`,
    '',
  ];
  writeFileSync(join(bin, 'ip'), script.join('\n'), { mode: 0o755 });
  const path = (await sb.lab(['sh', '-c', 'echo "$PATH"'])).stdout.trim();
  return `${bin}:${path}`;
}

describe.skipIf(skip)('step tables at scale', () => {
  it(
    `${COUNT} namespaces: up twice changes nothing the second time, traffic passes FORWARD DROP, down leaves nothing; an up killed half way through its host batch is finished by up and removed by down`,
    () =>
      withSandbox(
        async (sb) => {
          const compiled = compile(bridgedLab(COUNT));
          if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
          const script = compiled.script;
          // Docker's policy: bridged frames pass through iptables (br_netfilter) and FORWARD drops them unless the lab accepts them.
          await sb.lab(['iptables', '-P', 'FORWARD', 'DROP']);
          const before = await sb.snapshot();

          const first = await ok(sb.runScript(script, ['up'], LIMIT));
          expect(first.stdout).toMatch(/^\[ *\d+-\d+\/\d+\] namespaces +300 steps: namespace ns1 \.\.\. namespace ns300$/m);
          const built = await sb.snapshot();
          expect(built).toMatch(new RegExp(`## netns ns${COUNT}: ip addr\\n(.*\\n)*?v${COUNT} inet 10\\.0\\.1\\.45/16 scope global`));
          for (const [from, to] of [
            ['ns1', '10.0.1.45'],
            ['ns300', '10.0.0.1'],
          ] as const) {
            const ping = await sb.inNamespace(from, ['ping', '-n', '-c', '1', '-w', '5', to]);
            expect(ping.code, `${from} -> ${to}\n${ping.stdout}${ping.stderr}`).toBe(0);
          }

          await ok(sb.runScript(script, ['up'], LIMIT));
          expect(await sb.snapshot()).toBe(built);

          await ok(sb.runScript(script, ['down'], LIMIT));
          expect(await sb.snapshot()).toBe(before);

          // Killed after 450 lines of the host's batch: the namespaces and half the veth pairs are made, none of them addressed.
          const killed = await sb.runScript(script, ['up'], { ...LIMIT, env: { PATH: await killingBatchPath(sb, 450) } });
          expect(killed.code).toBe(137);
          expect((await sb.lab(['ip', 'netns', 'list'])).stdout.split('\n').filter(Boolean)).toHaveLength(COUNT);
          await ok(sb.runScript(script, ['up'], LIMIT));
          expect(await sb.snapshot()).toBe(built);
          await ok(sb.runScript(script, ['down'], LIMIT));
          expect(await sb.snapshot()).toBe(before);

          // Killed again, and down right away: nothing is left.
          expect((await sb.runScript(script, ['up'], { ...LIMIT, env: { PATH: await killingBatchPath(sb, 450) } })).code).toBe(137);
          await ok(sb.runScript(script, ['down'], LIMIT));
          expect(await sb.snapshot()).toBe(before);
        },
        { upstream: false },
      ),
    1_200_000,
  );

  it(
    'gives an interface an IPv6 link-local address only when the drawing gives it IPv6; its IPv6 probes pass',
    () =>
      withSandbox(
        async (sb) => {
          const compiled = compile({
            version: 1,
            name: 'quiet',
            nodes: [
              { id: 'vnet0', kind: 'bridge', addresses: ['10.0.0.1/24', 'fd00:5::1/64'] },
              { id: 'red', kind: 'namespace' },
              { id: 'blue', kind: 'namespace' },
            ],
            links: [
              { id: 'red-vnet0', a: { node: 'red', ifname: 'eth0', addresses: ['10.0.0.2/24'] }, b: { node: 'vnet0', ifname: 'red-br' } },
              { id: 'blue-vnet0', a: { node: 'blue', ifname: 'eth0', addresses: ['10.0.0.3/24', 'fd00:5::3/64'] }, b: { node: 'vnet0', ifname: 'blue-br' } },
            ],
            probes: [{ id: 'blue6', from: 'blue', to: 'fd00:5::1', expect: 'reachable' }],
          });
          if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
          await ok(sb.runScript(compiled.script, ['up'], LIMIT));
          const inet6 = async (where: string, dev: string) => {
            const argv = ['ip', '-6', '-o', 'addr', 'show', 'dev', dev];
            const r = where === '-' ? await sb.lab(argv) : await sb.inNamespace(where, argv);
            return [...r.stdout.matchAll(/inet6 (\S+)/g)].map((m) => m[1]!.replace(/^fe80:\S*/, 'fe80::/64')).sort();
          };
          expect(await inet6('red', 'eth0')).toEqual([]);
          expect(await inet6('-', 'red-br')).toEqual([]);
          expect(await inet6('-', 'blue-br')).toEqual([]);
          expect(await inet6('blue', 'eth0')).toEqual(['fd00:5::3/64', 'fe80::/64']);
          expect(await inet6('-', 'vnet0')).toEqual(['fd00:5::1/64', 'fe80::/64']);
          const verify = await sb.runScript(compiled.script, ['verify'], LIMIT);
          expect(verify.code, show(verify)).toBe(0);
          expect(verify.stdout).toMatch(/^blue6 .* fd00:5::1 +reachable +reachable +pass/m);
          await ok(sb.runScript(compiled.script, ['down'], LIMIT));
        },
        { upstream: false },
      ),
    120_000,
  );
});
