/**
 * verify at scale, for real: a correct lab of 300 namespaces on one bridge verifies with zero
 * failures, although its probes need more neighbour entries than the kernel's shared tables
 * hold (gc_thresh3, 1024 by default, for every namespace on the machine); and probes that
 * should fail still do. The lab is the one `/work/shared/bench/bridged-lab.js 300` prints.
 */
import { describe, expect, it } from 'vitest';
import { BASH_LIBRARY } from '../../src/shared/compiler/bash-library.js';
import { compile } from '../../src/shared/compiler/index.js';
import { NEIGHBOUR_MARGIN } from '../../src/shared/compiler/probes.js';
import { parseProbe } from '../../src/shared/deploy/output-parser.js';
import { bridgedLab } from '../support/scale-lab.js';
import type { Compiled } from './sshd.js';
import { requireLab, withSandbox, type RunResult, type Sandbox } from './sandbox.js';

const skip = requireLab('the verify-at-scale lab test (test/lab/verify-scale.test.ts)');

const COUNT = 300;

/** The named functions of lab.sh's library, for running them alone. */
function libraryFunctions(...names: string[]): string {
  return names.map((n) => new RegExp(`^${n}\\(\\) \\{[\\s\\S]*?^\\}$`, 'm').exec(BASH_LIBRARY)![0]).join('\n');
}

/**
 * A directory of wrappers, put first on PATH, that log each call of the given commands to LOG
 * (`NAME LC_ALL=ITS-LOCALE ARGUMENTS`) and then run the real one; the PATH to use.
 */
async function loggingPath(sb: Sandbox, log: string, commands: string[]): Promise<string> {
  const bin = `${sb.tmpDir}/logging-bin`;
  for (const c of commands) {
    const real = (await sb.lab(['sh', '-c', `command -v ${c}`])).stdout.trim();
    await sb.lab(['sh', '-c', `mkdir -p ${bin} && printf '#!/bin/sh\\necho "${c} LC_ALL=$LC_ALL $*" >>${log}\\nexec ${real} "$@"\\n' >${bin}/${c} && chmod +x ${bin}/${c}`]);
  }
  const path = (await sb.lab(['sh', '-c', 'echo "$PATH"'])).stdout.trim();
  return `${bin}:${path}`;
}

/** The calls loggingPath() logged, one a line. */
async function logged(sb: Sandbox, log: string): Promise<string[]> {
  return (await sb.lab(['sh', '-c', `cat ${log} 2>/dev/null || true`])).stdout.split('\n').filter(Boolean);
}

/** The bench's lab of 4 namespaces, compiled and up in the lab host. */
async function upFour(sb: Sandbox): Promise<Compiled> {
  const compiled = compile(bridgedLab(4));
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const up = await sb.runScript(compiled.script, ['up'], { timeoutMs: 60_000 });
  if (up.code !== 0) throw new Error(`up failed: ${show(up)}`);
  return compiled;
}

function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout (end)\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr}`;
}

describe.skipIf(skip)('verify at scale', () => {
  // verify pings and flushes in one python3 process where the host has python3, with ping and ip
  // where it has not (or NSD_PYTHON_PROBES=0): both ways verify the same.
  it.each<{ prober: string; env: Record<string, string> }>([
    { prober: 'python3', env: {} },
    { prober: 'ping and ip', env: { NSD_PYTHON_PROBES: '0' } },
  ])(
    `verifies a correct lab of ${COUNT} namespaces with zero failures, and still fails what really fails ($prober)`,
    ({ prober, env }) =>
      withSandbox(
        async (sb) => {
          const doc = bridgedLab(COUNT);
          doc.probes = [
            // Wrong on purpose: ns1 and ns2 share the bridge, so "unreachable" must be reported failed.
            { id: 'leak', from: 'ns1', to: 'ns2', expect: 'unreachable' },
            // Nobody has this address: unreachable, as expected.
            { id: 'nobody', from: 'ns3', to: '10.0.250.250', expect: 'unreachable' },
          ];
          const compiled = compile(doc);
          if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
          // More neighbour entries than the kernel's default limit allows at once.
          expect(compiled.probes.reduce((sum, p) => sum + p.neighbours, 0)).toBeGreaterThan(1024);

          const up = await sb.runScript(compiled.script, ['up'], { timeoutMs: 240_000 });
          if (up.code !== 0) throw new Error(`up failed: ${show(up)}`);

          const log = `${sb.tmpDir}/calls.log`;
          const path = await loggingPath(sb, log, ['ping']);
          const results = async () => {
            const r = await sb.runScript(compiled.script, ['verify'], { timeoutMs: 120_000, env: { ...env, PATH: path } });
            const probes = r.stdout.split('\n').flatMap((l) => (l.startsWith('@nsd probe ') ? [parseProbe(l.split(' ').slice(2))] : []));
            return { r, probes: probes.filter((p) => p !== undefined) };
          };

          const good = await results();
          expect(good.probes).toHaveLength(compiled.probes.length);
          const notPassed = good.probes.filter((p) => p.result !== 'pass').map((p) => `${p.id} ${p.observed} ${p.result}`);
          expect(notPassed, show(good.r)).toEqual(['leak reachable fail']);
          expect(good.r.stdout).toMatch(new RegExp(`verify: ${compiled.probes.length - 1} passed, 1 failed, 0 skipped`));

          // A real fault: ns150's cable is down. Its three probes fail (after a second try), nothing else.
          await sb.lab(['ip', '-n', 'ns150', 'link', 'set', 'v150', 'down']);
          const broken = await results();
          const failed = broken.probes.filter((p) => p.result !== 'pass').map((p) => `${p.id} ${p.observed} ${p.result}`);
          expect(failed.sort(), show(broken.r)).toEqual(['leak reachable fail', 'host->ns150 unreachable fail', 'ns149->ns150 unreachable fail', 'ns150->ns151 unreachable fail'].sort());
          expect(broken.r.stdout).toContain('note: trying 3 probe(s) again that saw no answer');
          // Each way did the pinging itself: python3 started no ping; without it, each probe was one.
          const pings = (await logged(sb, log)).filter((c) => c.startsWith('ping ')).length;
          if (prober === 'python3') expect(pings).toBe(0);
          else expect(pings).toBeGreaterThanOrEqual(2 * compiled.probes.length);

          const down = await sb.runScript(compiled.script, ['down'], { timeoutMs: 240_000 });
          if (down.code !== 0) throw new Error(`down failed: ${show(down)}`);
        },
        { upstream: false },
      ),
    600_000,
  );

  it(
    'without python3, flushes the neighbour entries of the namespaces it probed without ip -n, which copies the whole mount table (one mount per namespace) for every namespace; pings in the C locale',
    () =>
      withSandbox(
        async (sb) => {
          const compiled = await upFour(sb);
          // Every ip that verify runs, also under nsenter, and every ping write their arguments and locale
          // to calls.log first: verify reads what ping says, which a translated ping words otherwise.
          const log = `${sb.tmpDir}/calls.log`;
          const path = await loggingPath(sb, log, ['ip', 'ping']);
          const verify = await sb.runScript(compiled.script, ['verify'], { timeoutMs: 60_000, env: { PATH: path, LC_ALL: 'de_DE.UTF-8', NSD_PYTHON_PROBES: '0' } });
          expect(verify.code, show(verify)).toBe(0);
          const calls = await logged(sb, log);
          const pings = calls.filter((c) => c.startsWith('ping '));
          expect(pings.length).toBe(compiled.probes.length);
          expect(new Set(pings.map((c) => c.split(' ')[1]))).toEqual(new Set(['LC_ALL=C']));
          expect(calls.filter((c) => /^ip LC_ALL=\S* neigh flush all$/.test(c)).length, calls.join('\n')).toBeGreaterThanOrEqual(4);
          expect(calls.filter((c) => /^ip LC_ALL=\S* -n /.test(c))).toEqual([]);
          const down = await sb.runScript(compiled.script, ['down'], { timeoutMs: 60_000 });
          if (down.code !== 0) throw new Error(`down failed: ${show(down)}`);
        },
        { upstream: false },
      ),
    120_000,
  );

  it.each([
    { prober: 'python3', start: [...libraryFunctions('nsd_note', 'nsd_py_start', 'nsd_py').split('\n'), 'nsd_py_start', 'NSD_PY=1'] },
    { prober: 'ip', start: ['NSD_PY=0'] },
  ])(
    'flushes beside a running wave only what is resolved, sparing the entries probes still wait on; the last flush takes everything; on the host, only the lab\'s interfaces ($prober)',
    ({ start }) =>
      withSandbox(
        async (sb) => {
          // The lab host's bridge b1 ("-", the lab's host interface) and a namespace t with a bridge b0, each holding
          // one entry in each state a probe leaves: resolving (incomplete), answered (reachable), used a while ago (stale).
          const entries = (dev: string) =>
            [`ip link add ${dev} type bridge`, `ip link set ${dev} up`, `ip addr add 192.0.2.1/24 dev ${dev}`, `ip neigh add 192.0.2.5 dev ${dev} nud incomplete`]
              .concat([`ip neigh add 192.0.2.6 lladdr 02:00:00:00:00:06 dev ${dev} nud reachable`, `ip neigh add 192.0.2.7 lladdr 02:00:00:00:00:07 dev ${dev} nud stale`])
              .join(' && ');
          // And b2, a host interface that is not the lab's: its entry stays.
          const other = 'ip link add b2 type bridge && ip link set b2 up && ip addr add 198.51.100.1/24 dev b2 && ip neigh add 198.51.100.6 lladdr 02:00:00:00:01:06 dev b2 nud reachable';
          const left = 'for where in "" "ip netns exec t"; do echo "$($where ip -4 neigh show | awk \'{ print $1 }\' | sort | tr "\\n" " ")"; done';
          const script = [
            'set -euo pipefail',
            libraryFunctions('nsd_neigh_flush'),
            entries('b1'),
            other,
            'ip netns add t',
            `ip netns exec t bash -c ${JSON.stringify(entries('b0'))}`,
            'NSD_NEIGH_DEVS=(b1) NSD_FLUSHES=()',
            ...start,
            'nsd_neigh_flush resolved - t',
            left,
            'nsd_neigh_flush all - t',
            left,
            'ip netns del t',
            'ip link del b1',
            'ip link del b2',
          ].join('\n');
          const r = await sb.lab(['bash', '-c', script]);
          expect(r.code, show(r)).toBe(0);
          expect(r.stderr).toBe('');
          expect(r.stdout.split('\n')).toEqual(['192.0.2.5 198.51.100.6 ', '192.0.2.5 ', '198.51.100.6 ', '', '']);
        },
        { upstream: false },
      ),
    60_000,
  );

  it(
    "verify's python3 pings past descriptor 1023 and raises its own limit of open files to the hard one (a big wave opens a socket per namespace)",
    () =>
      withSandbox(
        async (sb) => {
          const script = [
            'set -euo pipefail',
            libraryFunctions('nsd_note', 'nsd_py_start', 'nsd_py'),
            'ip link set lo up',
            // Descriptors 3 to 1,159 taken, under a soft limit of 1,200: python3's socket comes after them.
            'ulimit -Sn 1200; ulimit -Hn 4096',
            'exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null 8</dev/null 9</dev/null',
            'for ((i = 0; i < 1150; i++)); do exec {fd}</dev/null; done',
            'nsd_py_start',
            'NSD_PY=1',
            'nsd_py ping 0 "1 - 127.0.0.1"',
            'printf "%s\\n" "${NSD_PY_ANSWER[@]}"',
            `awk '/^Max open files/ { print "limit", $4, $5 }' "/proc/$NSD_PY_PID/limits"`,
          ].join('\n');
          const r = await sb.lab(['bash', '-c', script]);
          expect(r.code, show(r)).toBe(0);
          expect(r.stdout).toMatch(/^1 reachable \d+\.\d{3}$/m);
          expect(r.stdout).not.toContain('note:');
          expect(r.stdout).toContain('limit 4096 4096\n');
        },
        { upstream: false },
      ),
    60_000,
  );

  it(
    'python3 reads the neighbour tables (limit, entries, times found full) as ip -s ntable shows them',
    () =>
      withSandbox(
        async (sb) => {
          const read = 'nsd_neigh_read; echo "$NSD_NEIGH_LIMIT $NSD_NEIGH_USED $NSD_NEIGH_FULLS"';
          // And python3 did answer (nsd_neigh_read reads with ip where it does not).
          const answered = '[[ ${NSD_PY_ANSWER[0]-none} != none ]] || { echo "python3 did not answer" >&2; exit 7; }';
          const script = [
            'set -euo pipefail',
            libraryFunctions('nsd_note', 'nsd_neigh_read', 'nsd_py_start', 'nsd_py'),
            'NSD_NEIGH_MARGIN=128 NSD_NEIGH_TABLES=arp_cache NSD_PY=0',
            read,
            'nsd_py_start',
            'NSD_PY=1',
            read,
            answered,
            'NSD_PY=0',
            read,
            'NSD_NEIGH_TABLES="arp_cache ndisc_cache" NSD_PY=1',
            read,
            answered,
            'NSD_PY=0',
            read,
          ].join('\n');
          const r = await sb.lab(['bash', '-c', script]);
          expect(r.code, show(r)).toBe(0);
          expect(r.stderr).toBe('');
          type Read = [limit: number, entries: number, fulls: number];
          const reads = r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number) as Read);
          expect(reads).toHaveLength(5);
          // The tables are the whole machine's: other work may change the count of entries between two reads.
          const agrees = (mine: Read, before: Read, after: Read): void => {
            expect(mine[0]).toBe(before[0]);
            expect(mine[0]).toBeGreaterThan(0);
            expect(mine[1]).toBeGreaterThanOrEqual(Math.min(before[1], after[1]) - 64);
            expect(mine[1]).toBeLessThanOrEqual(Math.max(before[1], after[1]) + 64);
            expect(mine[2]).toBeGreaterThanOrEqual(before[2]);
            expect(mine[2]).toBeLessThanOrEqual(after[2]);
          };
          agrees(reads[1]!, reads[0]!, reads[2]!);
          agrees(reads[3]!, reads[4]!, reads[4]!);
        },
        { upstream: false },
      ),
    60_000,
  );

  it(
    'with python3, pings and flushes in one python3 process for the whole verify (no ping, no ip neigh flush); where python3 fails, goes on with ping and ip and says so; a probe python3 cannot send goes to ping',
    () =>
      withSandbox(
        async (sb) => {
          const compiled = await upFour(sb);
          const log = `${sb.tmpDir}/calls.log`;
          const path = await loggingPath(sb, log, ['python3', 'ping', 'ip', 'nsenter']);
          const verify = await sb.runScript(compiled.script, ['verify'], { timeoutMs: 60_000, env: { PATH: path } });
          expect(verify.code, show(verify)).toBe(0);
          expect(verify.stdout).toContain(`verify: ${compiled.probes.length} passed, 0 failed`);
          const calls = await logged(sb, log);
          expect(calls.filter((c) => c.startsWith('python3 ')).length, calls.join('\n')).toBe(1);
          expect(calls.filter((c) => c.startsWith('ping ') || /^ip LC_ALL=\S* .*neigh flush/.test(c)), calls.join('\n')).toEqual([]);
          // The fault: a python3 that exits at once. verify pings and flushes with ping and ip instead, and says why.
          await sb.lab(['sh', '-c', `rm -f ${log}; printf '#!/bin/sh\\nexit 3\\n' >${sb.tmpDir}/logging-bin/python3`]);
          const fallback = await sb.runScript(compiled.script, ['verify'], { timeoutMs: 60_000, env: { PATH: path } });
          expect(fallback.code, show(fallback)).toBe(0);
          expect(fallback.stdout).toContain(`verify: ${compiled.probes.length} passed, 0 failed`);
          expect(fallback.stdout).toMatch(/note: python3 stopped answering verify's (read|ping) requests: verify goes on with ping and ip/);
          const after = await logged(sb, log);
          expect(after.filter((c) => c.startsWith('ping ')).length, after.join('\n')).toBe(compiled.probes.length);
          expect(after.filter((c) => /^ip LC_ALL=\S* .*neigh flush/.test(c)).length, after.join('\n')).toBeGreaterThan(0);
          // A namespace python3 cannot enter (gone): its probes (tried twice) go to ping under nsenter, which
          // says what it finds there; python3 answers the others.
          await sb.lab(['sh', '-c', `rm -f ${log} ${sb.tmpDir}/logging-bin/python3 && ip netns del ns2`]);
          const lost = await sb.runScript(compiled.script, ['verify'], { timeoutMs: 60_000, env: { PATH: path } });
          const fromNs2 = compiled.probes.filter((p) => p.netns === 'ns2');
          expect(fromNs2.length).toBeGreaterThan(0);
          const nsenters = (await logged(sb, log)).filter((c) => c.startsWith('nsenter ') && / ping /.test(c));
          expect(nsenters.length, nsenters.join('\n')).toBe(2 * fromNs2.length);
          expect(nsenters.every((c) => c.includes('--net=/run/netns/ns2 '))).toBe(true);
          for (const p of fromNs2) expect(lost.stdout).toMatch(new RegExp(`^@nsd probe id=${p.id.replace('>', '\\>')} .* observed=unreachable result=fail `, 'm'));
          const down = await sb.runScript(compiled.script, ['down'], { timeoutMs: 60_000 });
          if (down.code !== 0) throw new Error(`down failed: ${show(down)}`);
        },
        { upstream: false },
      ),
    120_000,
  );

  it(
    'preflight says when a lab needs more neighbour entries than the host allows, with the fix; where it cannot change the limit it changes nothing',
    () =>
      withSandbox(
        async (sb) => {
          const script = [
            'set -euo pipefail',
            libraryFunctions('nsd_note', 'nsd_neigh_read', 'nsd_neigh_check', 'nsd_shared_lock', 'nsd_flock', 'nsd_shared_unlock', 'nsd_sysctl'),
            `NSD_NEIGH_MARGIN=${NEIGHBOUR_MARGIN} NSD_LAB=big NSD_SHARED=$1/.shared`,
            'NSD_NEIGH_NEED=(arp_cache:net.ipv4.neigh.default.gc_thresh3:20000:20480 arp_cache:net.ipv4.neigh.default.gc_thresh3:2:1024)',
            'nsd_neigh_check',
            'nsd_sysctl net.ipv4.neigh.default.gc_thresh3 20480 at-least',
            'echo "limit $NSD_NEIGH_LIMIT"',
            'ls -A "$1"',
          ].join('\n');
          // The lab host is a namespace of its own: the limit is the kernel's, read-only there.
          const r = await sb.lab(['bash', '-c', script, '_', sb.tmpDir]);
          expect(r.code, show(r)).toBe(0);
          const limit = /limit (\d+)/.exec(r.stdout)?.[1];
          expect(Number(limit)).toBeGreaterThan(0);
          expect(r.stderr).toBe(
            `lab.sh: warning: this lab needs up to 20000 neighbour entries (arp_cache) when its namespaces all talk through their gateways at once; the kernel allows ${limit} for every namespace on the machine together (net.ipv4.neigh.default.gc_thresh3), and new neighbours fail beyond that. Only the host can raise it: sysctl -w net.ipv4.neigh.default.gc_thresh3=20480 (verify is not affected: it probes in waves).\n`,
          );
          // No shared-settings mark: nothing was changed, so down has nothing to put back.
          expect(r.stdout).not.toContain('.shared');
        },
        { upstream: false },
      ),
    60_000,
  );
});
