/**
 * Link impairments for real: this machine's kernel has no netem, so lab.sh runs inside
 * User-Mode Linux (test/lab/uml.ts), a kernel with sch_netem and its own network stack. A delay
 * shows in ping's round trip, loss 100 % makes the other end unreachable, a changed netem is
 * applied to the running lab by changing only the qdisc, and down leaves no qdisc. The preflight
 * on a kernel without netem (this machine's, through the sandbox lab host over SSH) is tested
 * in the last suite.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { parseInspect } from '../../src/shared/deploy/inspect.js';
import { requireUml, withUmlKernel } from './uml.js';
import { requireLab, withSandbox } from './sandbox.js';

// UML starts processes slowly (about 100 s for the first test here): room for a loaded CI machine.
const TIMEOUT = 400_000;

type Netem = Record<string, number>;

/** red - blue (red-blue, impaired as given) and red - green (red-green, delay 10 ms, never changed). */
function drawing(netem: Netem | undefined, name = 'netem'): unknown {
  return {
    version: 1,
    name,
    nodes: [
      { id: 'red', kind: 'namespace' },
      { id: 'blue', kind: 'namespace' },
      { id: 'green', kind: 'namespace' },
    ],
    links: [
      { id: 'red-blue', a: { node: 'red', ifname: 'rb-red', addresses: ['10.0.1.1/24'] }, b: { node: 'blue', ifname: 'rb-blue', addresses: ['10.0.1.2/24'] }, ...(netem ? { netem } : {}) },
      { id: 'red-green', a: { node: 'red', ifname: 'rg-red', addresses: ['10.0.2.1/24'] }, b: { node: 'green', ifname: 'rg-green', addresses: ['10.0.2.2/24'] }, netem: { delayMs: 10 } },
    ],
  };
}

function scriptOf(doc: unknown): string {
  const c = compile(doc, { source: 'netem.json' });
  if (!c.ok) throw new Error(JSON.stringify(c.problems));
  return c.script;
}

/** The sections of a UML run's output, each after a line `=== NAME`. */
function sections(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name = '';
  for (const line of output.split('\n')) {
    const m = /^=== (\S+)$/.exec(line);
    if (m) {
      name = m[1]!;
      out[name] = '';
    } else if (name) out[name] += `${line}\n`;
  }
  return out;
}

/** ping's average round trip, in ms. */
function avgRtt(text: string): number {
  const m = /rtt [^=]*= [0-9.]+\/([0-9.]+)\//.exec(text);
  if (!m) throw new Error(`no round trip in:\n${text}`);
  return Number(m[1]);
}

const skipUml = requireUml('the netem lab tests (test/lab/netem.test.ts)');

describe.skipIf(skipUml)('netem in a kernel that has it (UML)', () => {
  it(
    'delays both directions, applies a changed netem by changing only the qdisc, and leaves no qdisc after down',
    async () => {
      const r = await withUmlKernel(
        `
set -u
echo === up
bash before.sh up; echo "exit $?"
echo === rtt
ip netns exec red ping -n -c 3 -i 0.2 10.0.1.2
echo === rtt-green
ip netns exec red ping -n -c 3 -i 0.2 10.0.2.2
echo === status
bash before.sh status; echo "exit $?"
tc -n blue qdisc del dev rb-blue root
bash before.sh status; echo "exit $?"
bash before.sh up >/dev/null; echo "up again $?"
echo === verify
bash before.sh verify; echo "exit $?"
echo === inspect
bash before.sh inspect
echo === before
ip netns exec red sleep 600 &
sleep 0.2
ip netns pids red
ip -n red -br addr; ip -n blue -br addr; ip -n red route
tc -n red qdisc show dev rg-red root
echo === plan
bash after.sh plan
echo === apply
bash after.sh up; echo "exit $?"
echo === after
ip netns pids red
ip -n red -br addr; ip -n blue -br addr; ip -n red route
tc -n red qdisc show dev rg-red root
echo === qdisc-after
tc -n red qdisc show dev rb-red root; tc -n blue qdisc show dev rb-blue root
echo === rtt-after
ip netns exec red ping -n -c 3 -i 0.2 10.0.1.2
echo === drift
tc -n blue qdisc change dev rb-blue root netem delay 70ms
bash after.sh inspect
echo === plan-none
bash none.sh plan
echo === apply-none
bash none.sh up; echo "exit $?"
tc -n red qdisc show dev rb-red root; tc -n blue qdisc show dev rb-blue root
echo === down
bash none.sh down; echo "exit $?"
echo === left
ip netns list; tc qdisc show | grep netem; ls /run/nsd 2>&1
echo === cut
bash cut.sh up >/dev/null; echo "up $?"
ip netns exec red ping -n -c 2 -W 1 10.0.1.2
bash cut.sh verify; echo "exit $?"
bash cut.sh down >/dev/null; echo "down $?"
`,
        { 'before.sh': scriptOf(drawing({ delayMs: 50 })), 'after.sh': scriptOf(drawing({ delayMs: 20, lossPercent: 0 })), 'none.sh': scriptOf(drawing(undefined)), 'cut.sh': scriptOf(drawing({ lossPercent: 100 }, 'cut')) },
        TIMEOUT - 20_000,
      );
      expect(r.code, r.console).toBe(0);
      const s = sections(r.output);
      const all = JSON.stringify(s, null, 2);
      expect(s.up, all).toContain('exit 0');
      // 50 ms each way: a round trip of about 100 ms.
      const rtt = avgRtt(s.rtt!);
      expect(rtt, s.rtt).toBeGreaterThanOrEqual(90);
      expect(rtt, s.rtt).toBeLessThanOrEqual(200);
      const green = avgRtt(s['rtt-green']!);
      expect(green).toBeGreaterThanOrEqual(18);
      expect(green).toBeLessThan(90);

      // Status counts each impaired end; a qdisc deleted by hand is missing, and up puts it back.
      expect(s.status).toMatch(/^qdisc +netem on rb-red in red +present$/m);
      expect(s.status).toContain('lab netem is up (7 of 7 parts present)\nexit 0');
      expect(s.status).toMatch(/^qdisc +netem on rb-blue in blue +missing$/m);
      expect(s.status).toContain('lab netem is partly up (6 of 7 parts present)');
      expect(s.status).toContain('up again 0');

      // Verify waits for the delay: red->blue passes, in about 100 ms.
      expect(s.verify, s.verify).toContain('exit 0');
      const row = /^red->blue .* reachable +reachable +pass +([0-9.]+)$/m.exec(s.verify!);
      expect(row, s.verify).not.toBeNull();
      expect(Number(row![1])).toBeGreaterThanOrEqual(90);
      expect(s.verify).toContain('    passed on try 1 of 1; the path has 100 ms of delay there and back (netem on red-blue)');

      const inspect = parseInspect(s.inspect!);
      const qdiscs = inspect.want.filter((i) => i.line.startsWith('qdisc '));
      expect(qdiscs.map((i) => [i.line, i.element, i.state])).toEqual([
        ['qdisc red rb-red delay 50ms', 'red-blue', 'present'],
        ['qdisc blue rb-blue delay 50ms', 'red-blue', 'present'],
        ['qdisc red rg-red delay 10ms', 'red-green', 'present'],
        ['qdisc green rg-green delay 10ms', 'red-green', 'present'],
      ]);

      // Plan: only the changed qdiscs, as ~ lines.
      expect(s.plan).toBe(
        [
          '~ qdisc blue rb-blue: delay 50ms -> delay 20ms  [red-blue]',
          '~ qdisc red rb-red: delay 50ms -> delay 20ms  [red-blue]',
          'plan for lab netem: 0 to add, 0 to remove, 0 chain(s) to refill, 2 qdisc(s) to change; the rest stays as it is',
          '',
        ].join('\n'),
      );
      expect(s.apply, all).toContain('exit 0');
      expect(s.apply).toContain('~ qdisc red rb-red: delay 50ms -> delay 20ms  [red-blue]');
      expect(s.apply).not.toMatch(/^\s+- /m);
      // The rest untouched: the process in red, addresses, routes, the other link's qdisc (same handle).
      expect(s.after).toBe(s.before);
      expect(s.before).toMatch(/^\d+$/m);
      expect(s['qdisc-after']).toMatch(/qdisc netem \S+ root .*delay 20ms\n.*qdisc netem \S+ root .*delay 20ms/s);
      const after = avgRtt(s['rtt-after']!);
      expect(after).toBeGreaterThanOrEqual(38);
      expect(after).toBeLessThan(90);

      // A qdisc changed by hand is "different", with what differs.
      const drift = parseInspect(s.drift!).want.find((i) => i.line === 'qdisc blue rb-blue delay 20ms');
      expect(drift?.state).toBe('different');
      expect(drift?.note).toBe('delay is 70 ms instead of 20 ms');

      // Impairments removed from the drawing: the qdiscs go, nothing else.
      expect(s['plan-none']).toContain('- qdisc red rb-red delay 20ms  [red-blue]');
      expect(s['plan-none']).toContain('plan for lab netem: 0 to add, 2 to remove, 0 chain(s) to refill;');
      expect(s['apply-none']).toContain('exit 0');
      expect(s['apply-none']).not.toContain('qdisc netem');
      expect(s['apply-none']!.match(/^qdisc noqueue 0: root/gm)).toHaveLength(2);
      expect(s.down).toContain('exit 0');
      expect(s.left).not.toMatch(/netem|red|blue|green/);

      // Loss 100 %: red cannot reach blue; verify tried 3 times and says why.
      expect(s.cut).toContain('up 0');
      expect(s.cut).toContain('2 packets transmitted, 0 received, 100% packet loss');
      expect(s.cut).toMatch(/^red->blue .* reachable +unreachable +fail/m);
      expect(s.cut).toContain('    no answer in 3 tries; the path has 100 % loss (netem on red-blue)');
      expect(s.cut).toMatch(/^red->green .* reachable +reachable +pass/m);
      expect(s.cut).toContain('verify: ');
      expect(s.cut).toMatch(/exit 1\ndown 0/);
    },
    TIMEOUT,
  );
});

const skipLab = requireLab('the netem preflight test (test/lab/netem.test.ts)');

describe.skipIf(skipLab)('netem preflight on a kernel without it (the sandbox lab host)', () => {
  it(
    'names the missing netem and its fix before anything changes',
    async () => {
      await withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const r = await sb.runScript(scriptOf(drawing({ delayMs: 50 })), ['up']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('link(s) red-blue red-green have impairments (netem), and this kernel');
        expect(r.stderr).toContain('has no netem qdisc (sch_netem)');
        expect(r.stderr).toContain('modprobe sch_netem');
        expect(r.stderr).toMatch(/linux-modules-extra-\d/);
        expect(r.stderr).toContain('Nothing was changed.');
        expect(await sb.snapshot()).toEqual(before);
      });
    },
    TIMEOUT,
  );
});
