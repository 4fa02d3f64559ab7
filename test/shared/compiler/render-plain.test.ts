import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/shared/compiler/index.js';
import { PLAIN_DOWN, plainCleanup, renderPlain } from '../../../src/shared/compiler/render-plain.js';
import { downSteps, type Step } from '../../../src/shared/compiler/steps.js';
import { compileExample, loadExample, loadExamples } from '../../support/examples.js';
import { hasTool, skipUnless } from '../../support/tools.js';

function plainOf(name: string): string {
  const c = compileExample(name);
  return renderPlain(c.plan, { up: c.up, down: c.down, source: `${name}.json` });
}

/** The commands of the plain script before its removal section. */
function upCommands(script: string): string[] {
  return script
    .slice(0, script.indexOf('\n# To remove the lab,'))
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && l !== 'set -e');
}

describe('render-plain', () => {
  it('writes the tutorial\'s commands for the bridge lab, in order', () => {
    const up = upCommands(plainOf('02-bridge'));
    const tutorial = [
      'ip netns add red',
      'ip link add vnet0 type bridge',
      'ip link add veth-red netns red type veth peer name veth-red-br',
      'ip link set veth-red-br master vnet0',
      'ip netns exec red ip addr add 192.168.15.1/24 dev veth-red',
      'ip link set vnet0 up',
      'ip netns exec red ip link set veth-red up',
      'ip link set veth-red-br up',
    ];
    const at = tutorial.map((line) => up.indexOf(line));
    expect(at, up.join('\n')).not.toContain(-1);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("removes the lab in the tutorial's order, whatever order lab.sh's down takes: rules, then routes, then the host's links, then the namespaces", () => {
    // Every kind lab.sh's down removes has its place in the plain order.
    const kinds = downSteps().flatMap((s) => s.commands.filter((c) => c.argv[0] === 'nsd_undo').flatMap((c) => c.argv.slice(1)));
    expect([...kinds].sort()).toEqual([...PLAIN_DOWN].sort());
    const cleanup = plainCleanup(plainOf('05-port-forward'));
    const first = (re: RegExp) => cleanup.findIndex((l) => re.test(l));
    const last = (re: RegExp) => cleanup.findLastIndex((l) => re.test(l));
    expect(last(/^iptables /), cleanup.join('\n')).toBeLessThan(first(/^ip link del /));
    expect(last(/^ip link del /), cleanup.join('\n')).toBeLessThan(first(/^ip netns del /));
    expect(last(/^ip netns del /), cleanup.join('\n')).toBeLessThan(first(/^rm -r \/etc\/netns\//));
  });

  it.each(loadExamples().map((e) => [e.name] as const))('%s: no guards, no tags, no library, no verify, no IPv6 settings of lab.sh; every step command of lab.sh is there', (name) => {
    const c = compileExample(name);
    const script = plainOf(name);
    const up = upCommands(script);
    for (const line of up) {
      expect(line).not.toMatch(/nsd_|\balias\b|--comment|\breplace\b|ip -n |\|\||^if |addrgenmode/);
    }
    expect(script).not.toMatch(/^# lab\.sh: /m);
    expect(script).not.toContain(c.plan.tag);
    // Each command of lab.sh's up is one plain command, apart from the preflight, apply and the tags.
    const kept = c.up.flatMap((s) => s.commands).filter((cmd) => cmd.argv[0] !== 'nsd_preflight' && cmd.argv[0] !== 'nsd_apply' && !(cmd.argv.at(-2) === 'alias' && cmd.argv.at(-1) === c.plan.tag));
    expect(up).toHaveLength(kept.length);
    expect(plainCleanup(script).length).toBeGreaterThan(0);
  });

  it("starts a service in its namespace in a session of its own, its command one quoted word, and stops it before its namespace goes", () => {
    const script = plainOf('05-port-forward');
    const dir = '/run/nsd/port-forward/services/blue/web';
    expect(upCommands(script)).toContain(
      `(mkdir -p ${dir} && cd ${dir} && ip netns exec blue setsid -f bash -c 'echo "<h1>Hello from blue</h1>" >index.html && exec python3 -m http.server 80' </dev/null >../web.log 2>&1)`,
    );
    const cleanup = plainCleanup(script);
    expect(cleanup.slice(0, 3)).toEqual(['ip netns pids blue | xargs -r kill', `rm -rf ${dir} ${dir}.log`, 'rmdir -p --ignore-fail-on-non-empty /run/nsd/port-forward/services/blue']);
    expect(cleanup.indexOf('ip netns del blue')).toBeGreaterThan(2);
  });

  it('writes a command lab.sh does not know how to say plainly as a note, never as a call', () => {
    const c = compileExample('01-veth-pair');
    const odd: Step = { id: 'x', phase: 'routes', element: null, title: 'something new', commands: [{ argv: ['nsd_something', 'red'] }] };
    const script = renderPlain(c.plan, { up: [...c.up, odd], down: c.down });
    expect(script).toContain('# something new\n# lab.sh: nsd_something red\n');
  });

  it('writes the tc command of an impaired link as the tutorial would, and no removal for it (it goes with its interface)', () => {
    const doc = loadExample('01-veth-pair') as { links: Array<Record<string, unknown>> };
    doc.links[0]!.netem = { delayMs: 50, jitterMs: 5 };
    const c = compile(doc, { source: 'netem.json' });
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    const script = renderPlain(c.plan, { up: c.up, down: c.down });
    const v = c.plan.veths[0]!;
    expect(upCommands(script)).toEqual(expect.arrayContaining([`ip netns exec ${v.a.netns} tc qdisc add dev ${v.a.name} root netem delay 50ms 5ms`, `ip netns exec ${v.b.netns} tc qdisc add dev ${v.b.name} root netem delay 50ms 5ms`]));
    expect(plainCleanup(script).some((l) => l.includes('qdisc'))).toBe(false);
  });

  it('keeps free text from the drawing inside comments', () => {
    const c = compileExample('01-veth-pair');
    const script = renderPlain({ ...c.plan, title: 'two rooms\nreboot' }, { up: c.up, down: c.down });
    expect(script.split('\n').filter((l) => l.includes('reboot'))).toEqual(['# The network lab "veth-pair" as plain commands: two rooms reboot']);
  });

  describe.skipIf(skipUnless('shellcheck of the plain scripts', { shellcheck: hasTool('shellcheck') }))('shellcheck', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-plain-'));
    it.each(loadExamples().map((e) => [e.name] as const))('reports nothing for %s', (name) => {
      const file = join(dir, `${name}.sh`);
      writeFileSync(file, plainOf(name));
      const out = spawnSync('shellcheck', ['--shell=bash', '--severity=style', file], { encoding: 'utf8' });
      expect(out.stdout + out.stderr).toBe('');
      expect(out.status).toBe(0);
    });
  });
});
