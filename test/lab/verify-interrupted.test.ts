/**
 * verify interrupted, for real: a cancelled run (TERM to lab.sh's process group, as the deploy
 * session sends) or ^C in the middle of verify leaves neither the listener it started for a tcp
 * probe nor its result files behind.
 */
import { describe, expect, it } from 'vitest';
import { readExamples } from '../../src/main/package-paths.js';
import { compile } from '../../src/shared/compiler/index.js';
import type { TopologyInput } from '../../src/shared/model/topology.js';
import { requireLab, withSandbox, type Sandbox } from './sandbox.js';

const skip = requireLab('the interrupted-verify lab test (test/lab/verify-interrupted.test.ts)');

// Runs verify in its own process group, waits until its listener for the port forward answers in blue, sends SIGNAL
// to TARGET (the group, as a cancelled run does, or lab.sh alone, as \`kill PID\` does), and prints
// what is left: result directories and listener processes.
const INTERRUPT = `
set -u
script=$1 signal=$2 target=$3
setsid bash "$script" verify >/tmp/verify.out 2>&1 &
pid=$!
for _ in $(seq 100); do
  [[ -n $(ip netns exec blue ss -Hltn 'sport = :80') ]] && break
  sleep 0.1
done
echo "listening: $(ip netns exec blue ss -Hltn 'sport = :80' | wc -l)"
echo "dirs during: $(ls /dev/shm | grep -c nsd-verify)"
if [[ $target == group ]]; then kill -s "$signal" -- "-$pid"; else kill -s "$signal" "$pid"; fi
wait "$pid"
echo "exit: $?"
sleep 0.5
echo "dirs after: $(ls /dev/shm | grep -c nsd-verify)"
echo "listening after: $(ip netns exec blue ss -Hltn 'sport = :80' | wc -l)"
echo "listeners after: $(ps -eo args | grep -c '^[p]ython3 -c')"
`;

// A verify killed outright (kill -9: no trap runs) leaves its result directory; the next verify
// removes it, once it is a minute old and its lock is free, and never one whose verify still runs.
const KILLED = `
set -u
shopt -s nullglob
script=$1
age() { local d; for d in /dev/shm/nsd-verify.*; do touch -d '2 minutes ago' "$d"; done; }
setsid bash "$script" verify >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
  [[ -n $(ip netns exec blue ss -Hltn 'sport = :80') ]] && break
  sleep 0.1
done
# Stopped, it stays in the middle of its run while another verify runs to its end.
kill -STOP -- "-$pid"
age
bash "$script" verify >/dev/null 2>&1
echo "running kept: $(ls /dev/shm | grep -c nsd-verify)"
kill -9 -- "-$pid"
wait "$pid"
sleep 0.5
echo "killed left: $(ls /dev/shm | grep -c nsd-verify)"
age
bash "$script" verify >/dev/null 2>&1
echo "next verify left: $(ls /dev/shm | grep -c nsd-verify)"
`;

/** The port forward without blue's web server, up in SB, and its lab.sh in the lab host's /tmp/lab.sh. */
async function portForwardLab(sb: Sandbox): Promise<void> {
  // The port forward without blue's web server: verify starts a listener in blue for its probe.
  const example = readExamples().find((e) => e.id === '05-port-forward');
  const doc = structuredClone(example!.doc) as unknown as TopologyInput;
  for (const node of doc.nodes ?? []) if (node.kind === 'namespace') delete node.services;
  // Nobody on the bridge has this address: expected reachable, so verify waits for it and tries again.
  doc.probes = [{ id: 'nobody', from: 'red', to: '192.168.15.250' }];
  const c = compile(doc);
  if (!c.ok) throw new Error(JSON.stringify(c.problems));
  const up = await sb.runScript(c.script, ['up'], { timeoutMs: 60_000 });
  expect(up.code, up.stderr).toBe(0);
  // The lab host's own /dev/shm: the test sees only its own verify's files.
  expect((await sb.lab(['mount', '-t', 'tmpfs', 'nsd-test-shm', '/dev/shm'])).code).toBe(0);
  const script = await sb.runScript(`cat > /tmp/lab.sh <<'NSD_END'\n${c.script}NSD_END\n`);
  expect(script.code).toBe(0);
}

describe.skipIf(skip)('verify interrupted', () => {
  it('removes, on its next run, the result files of a verify killed outright, and never those of one still running', () =>
    withSandbox(async (sb) => {
      await portForwardLab(sb);
      const r = await sb.lab(['bash', '-c', KILLED, 'killed', '/tmp/lab.sh'], { timeoutMs: 90_000 });
      expect(r.stdout.trim().split('\n'), r.stderr).toEqual(['running kept: 1', 'killed left: 1', 'next verify left: 0']);
    }), 120_000);

  it('leaves no listener and no result files when its run is cancelled (TERM to its group), interrupted (INT) or killed (TERM to lab.sh)', () =>
    withSandbox(async (sb) => {
      await portForwardLab(sb);

      for (const [signal, target] of [['TERM', 'group'], ['INT', 'group'], ['TERM', 'lab.sh']] as const) {
        const r = await sb.lab(['bash', '-c', INTERRUPT, 'interrupt', '/tmp/lab.sh', signal, target], { timeoutMs: 60_000 });
        const out = `${signal} to ${target}\n${r.stdout}\n${r.stderr}\n${(await sb.lab(['cat', '/tmp/verify.out'])).stdout}`;
        expect(r.stdout, out).toContain('listening: 1');
        expect(r.stdout, out).toContain('dirs during: 1');
        expect(r.stdout, out).not.toContain('exit: 0');
        expect(r.stdout, out).toContain('dirs after: 0');
        expect(r.stdout, out).toContain('listening after: 0');
        expect(r.stdout, out).toContain('listeners after: 0');
      }
    }), 120_000);
});
