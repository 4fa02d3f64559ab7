/**
 * The host's limits, checked by up's preflight before it changes anything (bash-library.ts:
 * nsd_limits_check): the kernel's cap on network namespaces, the mount table (one mount per
 * namespace) and kernel memory. Each is set low to trigger it: user.max_net_namespaces for real,
 * in a user namespace of the lab host's own (the kernel then refuses the namespaces too);
 * fs.mount-max and /proc/meminfo are machine-wide, so a private mount namespace shows lab.sh
 * a low value over the real file instead. And verify's own stack: its probes are a table read by
 * a loop, so a low `ulimit -s` does not matter (one bash command per probe died of a segmentation
 * fault at 30,000 probes, or at 600 under 128 KB).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAMESPACE_MEMORY_KB } from '../../src/shared/compiler/bash-library.js';
import { compile } from '../../src/shared/compiler/index.js';
import { bridgedLab } from '../support/scale-lab.js';
import { requireLab, withSandbox, type RunResult, type Sandbox } from './sandbox.js';

const skip = requireLab('the host limit tests (test/lab/host-limits.test.ts)');
const TIMEOUT = 120_000;

/** Whether this machine has cgroup v1's memory controller: only then has the test process a memory line in /proc/self/cgroup to show lab.sh v1's layout along (a machine with only v2 has none). */
const V1_MEMORY = (() => {
  try {
    return /^\d+:([^:]*,)?memory(,[^:]*)?:/m.test(readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return false;
  }
})();
if (!skip && !V1_MEMORY) console.warn("SKIPPED: the cgroup v1 memory test (test/lab/host-limits.test.ts): this machine's kernel has no cgroup v1 memory controller (only v2), so lab.sh's v1 branch cannot be shown one here");

/** A lab of `count` namespaces in a chain (no NAT, no host links): what the checks count is namespaces. */
function chainScript(count: number): string {
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, kind: 'namespace' }));
  const links = nodes.slice(1).map((n, i) => ({ id: `l${i}`, a: { node: `n${i}`, addresses: [`10.0.${i}.1/24`] }, b: { node: n.id, addresses: [`10.0.${i}.2/24`] } }));
  const c = compile({ version: 1, name: 'limits', nodes, links }, { source: 'limits.json' });
  if (!c.ok) throw new Error(JSON.stringify(c.problems));
  return c.script;
}

function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/**
 * Runs `setup` then `bash lab.sh ACTION...` in the lab host, in a fresh mount namespace with its own
 * /run (so the lab's record and namespaces start empty), or with `user` also in a user namespace
 * of its own where root may set user.max_net_namespaces. Prints what is left after: "netns: ..."
 * and "state: ..." (the record directory).
 */
async function runIn(sb: Sandbox, script: string, setup: string, actions: string[][], user = false): Promise<RunResult> {
  const file = `${sb.tmpDir}/limits-${Math.random().toString(36).slice(2)}.sh`;
  await sb.lab(['bash', '-c', 'cat >"$1"', '_', file], { input: script });
  const body = [
    'set -u',
    'mount -t tmpfs nsd-test /run && mkdir /run/netns',
    setup,
    ...actions.map((a) => `bash ${file} ${a.join(' ')}; echo "exit $?"`),
    'echo "netns: $(ls /run/netns | tr "\\n" " ")"',
    'echo "state: $(ls -A /run/nsd 2>/dev/null | tr "\\n" " ")"',
  ].join('\n');
  const unshare = user ? ['unshare', '--user', '--map-root-user', '--net', '--mount', '--propagation', 'private'] : ['unshare', '--mount', '--propagation', 'private'];
  return sb.lab([...unshare, '--', 'bash', '-c', body], { timeoutMs: 60_000 });
}

/**
 * The memory cgroup layouts lab.sh reads: the line of /proc/self/cgroup that names the path, where
 * the files are below /sys/fs/cgroup, their names, what "no limit" looks like, and v2's mark at
 * the root (cgroup.controllers; v1 has a memory directory there instead).
 */
const CGROUPS = {
  v2: { line: '$1 == 0', dir: '', max: 'memory.max', cur: 'memory.current', none: 'max', mark: ': >/run/cg/cgroup.controllers' },
  v1: { line: '$2 ~ /(^|,)memory(,|$)/', dir: '/memory', max: 'memory.limit_in_bytes', cur: 'memory.usage_in_bytes', none: '9223372036854771712', mark: ':' },
} as const;

/**
 * The cgroup files are the machine's, so a private mount namespace shows lab.sh a copy of its
 * cgroup's path in the layout of `version` at /sys/fs/cgroup instead: the cgroup itself allows
 * 64 MB of which 4 are used, its parent 5 MB of which 4 are used (the tightest: 1 MB more), every
 * other level none. Then up of 10 namespaces must be refused naming that limit, changing nothing.
 */
async function expectCgroupRefusal(sb: Sandbox, version: keyof typeof CGROUPS): Promise<void> {
  const { line, dir, max, cur, none, mark } = CGROUPS[version];
  const base = `/run/cg${dir}`;
  const setup = [
    `path=$(awk -F: '${line} { print $3 }' /proc/self/cgroup) && path=\${path%/} parent=\${path%/*}`,
    `mkdir -p "${base}$path" && ${mark}`,
    `d=${base}$path; while :; do echo ${none} >"$d/${max}"; echo 0 >"$d/${cur}"; [[ $d != ${base} ]] || break; d=\${d%/*}; done`,
    `if [[ -n $path ]]; then echo $((64 << 20)) >"${base}$path/${max}"; echo $((4 << 20)) >"${base}$path/${cur}"; fi`,
    `echo $((5 << 20)) >"${base}$parent/${max}"; echo $((4 << 20)) >"${base}$parent/${cur}"`,
    `echo "tightest /sys/fs/cgroup${dir}$parent/${max}"`,
    'mount --bind /run/cg /sys/fs/cgroup',
  ].join('\n');
  const r = await runIn(sb, chainScript(10), setup, [['up']]);
  expect(r.stdout, show(r)).toContain('exit 1\nnetns: \nstate: \n');
  const tightest = /^tightest (\S+)$/m.exec(r.stdout)?.[1];
  expect(tightest, show(r)).toMatch(new RegExp(`^/sys/fs/cgroup${dir}\\S*/${max.replace('.', '\\.')}$`));
  expect(r.stderr).toBe(
    'lab.sh: cannot build lab limits:\n' +
      `  - the lab's 10 new namespace(s) need about ${Math.ceil((10 * NAMESPACE_MEMORY_KB) / 1024)} MB of kernel memory (about ${NAMESPACE_MEMORY_KB} KB each with its link) and the memory cgroup lab.sh runs in allows 1 MB more (${tightest}, kernel memory counts against it): raise that limit (a container's or a systemd slice's memory limit), or draw fewer namespaces\n`,
  );
}

describe.skipIf(skip)('preflight: host limits', () => {
  it(
    'refuses a lab that would pass user.max_net_namespaces, saying how many are in use and the fix, and changes nothing; at the limit it builds',
    () =>
      withSandbox(
        async (sb) => {
          const script = chainScript(3);
          // The user namespace's own network namespace is the one in use: 1 + 3 > 3.
          const low = await runIn(sb, script, 'sysctl -qw user.max_net_namespaces=3', [['up']], true);
          expect(low.stdout, show(low)).toContain('exit 1\nnetns: \nstate: \n');
          expect(low.stderr).toBe(
            'lab.sh: cannot build lab limits:\n' +
              '  - the lab makes 3 network namespace(s) and this host allows 3 (user.max_net_namespaces, per user), 1 in use already: sysctl -w user.max_net_namespaces=1024, or draw fewer namespaces\n',
          );
          // 1 + 3 = 4: the kernel makes all of them, and down removes them.
          const enough = await runIn(sb, script, 'sysctl -qw user.max_net_namespaces=4', [['up'], ['down']], true);
          expect(enough.stdout, show(enough)).toMatch(/lab limits is up[\s\S]*exit 0\n[\s\S]*lab limits is down\.\nexit 0\nnetns: \nstate: \n/);
        },
        { upstream: false },
      ),
    TIMEOUT,
  );

  it(
    'refuses a lab whose namespaces would pass fs.mount-max (one mount each on /run/netns), and changes nothing',
    () =>
      withSandbox(
        async (sb) => {
          // Room for two more mounts: the lab's three namespaces do not fit.
          const setup = 'echo 0 >/run/mount-max && mount --bind /run/mount-max /proc/sys/fs/mount-max && m=$(wc -l </proc/self/mountinfo) && echo $((m + 2)) >/run/mount-max && echo "mounts $m"';
          const r = await runIn(sb, chainScript(3), setup, [['up']]);
          const m = Number(/^mounts (\d+)$/m.exec(r.stdout)?.[1]);
          expect(m, show(r)).toBeGreaterThan(0);
          expect(r.stdout, show(r)).toContain('exit 1\nnetns: \nstate: \n');
          expect(r.stderr).toBe(
            'lab.sh: cannot build lab limits:\n' +
              `  - the lab mounts 3 namespace(s) on /run/netns and this host allows ${m + 2} mounts (fs.mount-max), ${m} in use already: sysctl -w fs.mount-max=1024, or draw fewer namespaces\n`,
          );
        },
        { upstream: false },
      ),
    TIMEOUT,
  );

  it(
    'refuses a lab whose namespaces need more kernel memory than the host has available, and changes nothing',
    () =>
      withSandbox(
        async (sb) => {
          // 10 namespaces need 10 x NAMESPACE_MEMORY_KB; the host shows 2 MB available.
          const meminfo = 'MemTotal:        4096 kB\\nMemFree:         2048 kB\\nMemAvailable:    2048 kB\\n';
          const setup = `printf '${meminfo}' >/run/meminfo && mount --bind /run/meminfo /proc/meminfo`;
          const r = await runIn(sb, chainScript(10), setup, [['up']]);
          expect(r.stdout, show(r)).toContain('exit 1\nnetns: \nstate: \n');
          expect(r.stderr).toBe(
            'lab.sh: cannot build lab limits:\n' +
              `  - the lab's 10 new namespace(s) need about ${Math.ceil((10 * NAMESPACE_MEMORY_KB) / 1024)} MB of kernel memory (about ${NAMESPACE_MEMORY_KB} KB each with its link) and this host has 2 MB available (MemAvailable in /proc/meminfo): free memory or give the host more, or draw fewer namespaces\n`,
          );
        },
        { upstream: false },
      ),
    TIMEOUT,
  );

  it(
    'refuses a lab whose namespaces need more kernel memory than its memory cgroup allows (a container, a systemd slice), naming the tightest limit on the way up, and changes nothing',
    // cgroup v2: memory.max ("max" for none) at the root, which is all a sandbox's own /sys has.
    () => withSandbox((sb) => expectCgroupRefusal(sb, 'v2'), { upstream: false }),
    TIMEOUT,
  );

  it.skipIf(!V1_MEMORY)(
    "reads cgroup v1's memory controller (memory.limit_in_bytes, memory.usage_in_bytes, a number near 2^63 for none) on a machine that has it",
    () => withSandbox((sb) => expectCgroupRefusal(sb, 'v1'), { upstream: false }),
    TIMEOUT,
  );

  it(
    'verify of 600 probes runs in a 128 KB stack: its probes are a table, not one command each (bash died of a segmentation fault at 30,000 probes)',
    () =>
      withSandbox(
        async (sb) => {
          const c = compile(bridgedLab(300));
          if (!c.ok) throw new Error(JSON.stringify(c.problems));
          expect(c.probes.length).toBe(600);
          const file = `${sb.tmpDir}/stack.sh`;
          await sb.lab(['bash', '-c', 'cat >"$1"', '_', file], { input: c.script });
          const up = await sb.lab(['bash', file, 'up'], { timeoutMs: 240_000 });
          expect(up.code, show(up)).toBe(0);
          // 128 KB holds about 400 commands of one function: 600 probes, one command each, crash bash.
          const verify = await sb.lab(['bash', '-c', `ulimit -s 128 && exec bash ${file} verify`], { timeoutMs: 120_000 });
          expect(verify.code, show(verify)).toBe(0);
          expect(verify.stdout).toContain('verify: 600 passed, 0 failed, 0 skipped');
          const down = await sb.lab(['bash', file, 'down'], { timeoutMs: 240_000 });
          expect(down.code, show(down)).toBe(0);
        },
        { upstream: false },
      ),
    600_000,
  );
});
