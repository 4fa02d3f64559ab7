/**
 * The lab's record on the host (bash-library.ts: nsd_record, nsd_undo, nsd_lock, nsd_sysctl):
 * up writes each object to the record before making it, down removes what the record names
 * whatever the drawing says now, one run of a lab at a time, and host settings shared by labs
 * are put back only when the last of them goes down.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { loadExample } from '../support/examples.js';
import { requireLab, run, withSandbox, type RunResult, type Sandbox } from './sandbox.js';
import { LAB_NET } from '../../src/main/lab/lab-info.js';

const skip = requireLab('the lab record tests (test/lab/record.test.ts)');
const TIMEOUT = 180_000;

type Doc = Record<string, unknown>;

function scriptOf(doc: unknown): string {
  const result = compile(doc, { source: 'test.json' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.script;
}

async function sh(sb: Sandbox, command: string): Promise<RunResult> {
  const r = await sb.lab(['bash', '-c', command]);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r;
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const done = await r;
  expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

/** 05-port-forward edited: blue and its link gone, red renamed green, new addresses, the port forward and masquerade moved along. */
function editedPortForward(): Doc {
  const text = JSON.stringify(loadExample('05-port-forward'))
    .replaceAll('192.168.15.', '192.168.25.')
    .replaceAll('"red"', '"green"')
    .replaceAll('red-vnet0', 'green-vnet0');
  const doc = JSON.parse(text) as { nodes: { id: string }[]; links: { id: string }[]; nat: { portForwards: { to: string }[] } };
  doc.nodes = doc.nodes.filter((n) => n.id !== 'blue');
  doc.links = doc.links.filter((l) => l.id !== 'blue-vnet0');
  doc.nat.portForwards[0]!.to = '192.168.25.1';
  return doc as unknown as Doc;
}

/** 04-nat as a second lab beside the first: other names, another subnet. */
function secondNat(): Doc {
  const text = JSON.stringify({ ...(loadExample('04-nat') as Doc), name: 'nat2' })
    .replaceAll('red', 'red2')
    .replaceAll('blue', 'blue2')
    .replaceAll('vnet0', 'vnet1')
    .replaceAll('192.168.15.', '192.168.16.');
  return JSON.parse(text) as Doc;
}

/**
 * A lab of namespaces n1..nN (plus m-namespaces at the given host numbers) on one bridge, with
 * NAT, a port forward, and DNS and a service for some (whose command depends on the m-namespaces:
 * the edit restarts them).
 */
function bigLab(n: number, extra: number[]): Doc {
  const nodes: unknown[] = [
    { id: 'internet', kind: 'internet', target: '203.0.113.1' },
    { id: 'host', kind: 'host', uplink: 'eth0' },
    { id: 'vnet0', kind: 'bridge', addresses: ['192.168.40.254/24'] },
  ];
  const links: unknown[] = [{ id: 'host-internet', a: { node: 'host' }, b: { node: 'internet' } }];
  const add = (id: string, host: number, dns: boolean) => {
    nodes.push({
      id,
      kind: 'namespace',
      routes: [{ to: 'default', via: '192.168.40.254' }],
      ...(dns ? { dns: ['192.0.2.53'], services: [{ id: 'sleeper', command: `exec sleep ${1000 + extra.length}` }] } : {}),
    });
    links.push({ id: `${id}-vnet0`, a: { node: id, addresses: [`192.168.40.${host}/24`] }, b: { node: 'vnet0' } });
  };
  for (let i = 1; i <= n; i++) add(`n${i}`, i, i % 8 === 1);
  for (const h of extra) add(`m${h}`, h, true);
  return {
    version: 1,
    name: 'big',
    nodes,
    links,
    nat: {
      masquerade: [{ id: 'masq', source: '192.168.40.0/24', out: 'eth0' }],
      portForwards: [{ id: 'web', proto: 'tcp', hostPort: 80, to: `192.168.40.${extra[0] ?? 1}`, toPort: 80 }],
    },
  };
}

/** A PATH whose `ip` kills the script that runs it right after it ran `ip ARGS` (an interruption at that very moment). */
async function killingIpPath(sb: Sandbox, args: string): Promise<string> {
  const realIp = (await run(['sh', '-c', 'command -v ip'])).stdout.trim();
  const bin = join(sb.tmpDir, 'kill-bin');
  mkdirSync(bin, { recursive: true });
  const wanted = JSON.stringify(args);
  const script = [
    '#!/bin/bash',
    // A batch (lab.sh's step tables) runs up to and including the line, then lab.sh is killed.
    'if [[ " $* " == *" -batch "* ]]; then',
    '  lines=()',
    '  while IFS= read -r line; do',
    '    lines+=("$line")',
    `    if [[ $line == ${wanted} ]]; then printf '%s\\n' "\${lines[@]}" | ${realIp} "$@"; kill -9 "$PPID"; exit 1; fi`,
    '  done',
    `  printf '%s\\n' "\${lines[@]}" | ${realIp} "$@"`,
    '  exit',
    'fi',
    `${realIp} "$@"`,
    'status=$?',
    `if [[ "$*" == ${wanted} ]]; then kill -9 "$PPID"; fi`,
    'exit "$status"',
    '',
  ];
  writeFileSync(join(bin, 'ip'), script.join('\n'), { mode: 0o755 });
  const path = (await sb.lab(['sh', '-c', 'echo "$PATH"'])).stdout.trim();
  return `${bin}:${path}`;
}

describe.skipIf(skip)('the lab record', () => {
  it(
    'down removes what up made although the drawing changed since (namespaces, links, DNS files, rules, settings)',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await ok(sb.runScript(scriptOf(loadExample('05-port-forward')), ['up']));
        const record = (await sh(sb, 'cat /run/nsd/port-forward/record')).stdout;
        expect(record).toContain('netns blue\tblue\n');
        expect(record).toContain('jump iptables nat PREROUTING NSD-port-forward-PRE\t-\n');
        expect((await sh(sb, 'cat /run/nsd/port-forward/about')).stdout).toMatch(/^lab=port-forward\ntitle=A web server in a namespace, reachable from outside\nsource=test\.json\ngenerator=.*\nupdated=.*\nstate=up\n$/);

        const down = await ok(sb.runScript(scriptOf(editedPortForward()), ['down']));
        expect(down.stdout).toContain('lab port-forward is down.');
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'an up killed between making a namespace and tagging it leaves it named in the record: up adopts it, down removes it',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf(loadExample('02-bridge'));
        const killed = await sb.runScript(script, ['up'], { env: { PATH: await killingIpPath(sb, 'netns add blue') } });
        expect(killed.code).toBe(137);
        expect((await sh(sb, 'ip netns list')).stdout).toContain('blue');
        expect((await sh(sb, 'ip -n blue -o link show dev lo')).stdout).not.toContain('alias');

        // Not a stranger's: the next up goes on and tags it.
        await ok(sb.runScript(script, ['up']));
        expect((await sh(sb, 'ip -n blue -o link show dev lo')).stdout).toContain('alias nsd:bridge');

        const again = await sb.runScript(script, ['up'], { env: { PATH: await killingIpPath(sb, 'netns add red') } });
        expect(again.code).toBe(0);
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);

        // Killed again at the same moment, then down: nothing is left.
        expect((await sb.runScript(script, ['up'], { env: { PATH: await killingIpPath(sb, 'netns add blue') } })).code).toBe(137);
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'a record whose lines name no element (written before they did) is read whole: plan lists what goes under the lab, down removes it all',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await ok(sb.runScript(scriptOf(loadExample('05-port-forward')), ['up']));
        await sh(sb, "sed -i 's/\\t.*//' /run/nsd/port-forward/record");
        expect((await sh(sb, 'cat /run/nsd/port-forward/record')).stdout).not.toContain('\t');
        const plan = await ok(sb.runScript(scriptOf(editedPortForward()), ['plan']));
        expect(plan.stdout).toMatch(/^- netns red {2}\[lab\]$/m);
        expect(plan.stdout).toMatch(/^- netns blue {2}\[lab\]$/m);
        await ok(sb.runScript(scriptOf(loadExample('05-port-forward')), ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'a write of record lines killed half way leaves a last line without its end: not a line, so down leaves what it would name alone',
    () =>
      withSandbox(async (sb) => {
        const script = scriptOf(loadExample('02-bridge'));
        // Someone else's interface, whose name is the start of a name the lab records.
        await sh(sb, 'ip link add veth-re type veth peer name other-end');
        const before = await sb.snapshot();
        await ok(sb.runScript(script, ['up']));
        await sh(sb, "printf 'link veth-re' >>/run/nsd/bridge/record");
        await ok(sb.runScript(script, ['down']));
        expect((await sh(sb, 'ip -o link show dev veth-re')).code).toBe(0);
        expect(await sb.snapshot()).toBe(before);

        // Cut while the jump was being recorded: the next up drops the cut line before it writes its own.
        await ok(sb.runScript(script, ['up']));
        await sh(sb, "sed -i '$d' /run/nsd/bridge/record && printf 'link veth-re' >>/run/nsd/bridge/record");
        await ok(sb.runScript(script, ['up']));
        const record = (await sh(sb, 'cat /run/nsd/bridge/record')).stdout;
        expect(record).not.toMatch(/^link veth-re(?!d)/m);
        expect(record).toMatch(/^jump iptables filter FORWARD NSD-bridge-FWD\t-\n$/m);
        await ok(sb.runScript(script, ['down']));
        expect((await sh(sb, 'ip -o link show dev veth-re')).code).toBe(0);
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'an ip netns add killed between making the file and mounting the namespace on it: up makes it again, down removes it',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf(loadExample('02-bridge'));
        // The state such a kill leaves: the intent recorded, /run/netns/blue a plain file.
        const halfMade = 'mkdir -p /run/nsd/bridge && echo "netns blue" >/run/nsd/bridge/record && touch /run/netns/blue';
        await sh(sb, halfMade);
        await ok(sb.runScript(script, ['up']));
        expect((await sh(sb, 'ip -n blue -o link show dev lo')).stdout).toContain('alias nsd:bridge');
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);

        await sh(sb, halfMade);
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);

        // Not in the record: a stranger's broken file stops up, and down leaves it.
        await sh(sb, 'touch /run/netns/blue');
        const refused = await sb.runScript(script, ['up']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('namespace blue exists and was not made by this lab');
        await ok(sb.runScript(script, ['down']));
        expect((await sh(sb, 'ls /run/netns')).stdout).toBe('blue\n');
      }),
    TIMEOUT,
  );

  it(
    'an up killed between making a veth pair and tagging it: down removes the untagged pair the record names',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf(loadExample('03-host-bridge'));
        expect((await sb.runScript(script, ['up'], { env: { PATH: await killingIpPath(sb, 'link add veth-red netns red type veth peer name veth-red-br') } })).code).toBe(137);
        expect((await sh(sb, 'ip -o link show dev veth-red-br')).stdout).not.toContain('alias');
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'SIGINT and SIGKILL at random moments of up, each followed by down, leave nothing behind and never wedge the next up',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf(loadExample('05-port-forward'));
        const file = join(sb.tmpDir, 'fuzz.sh');
        writeFileSync(file, script);
        // A seeded sequence of moments, so a failure can be replayed.
        let seed = 20261130;
        const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
        const full = Date.now();
        await ok(sb.runScript(script, ['up']));
        const upMs = Date.now() - full;
        await ok(sb.runScript(script, ['down']));
        for (let i = 0; i < 8; i++) {
          const signal = i % 2 === 0 ? 'SIGINT' : 'SIGKILL';
          const bg = sb.spawnAt('lab', ['bash', file, 'up']);
          await new Promise((r) => setTimeout(r, Math.floor(next() * upMs)));
          try {
            process.kill(-bg.pid, signal);
          } catch {
            // it ended first
          }
          await bg.stop();
          // Sometimes the next run is up (it must not be refused), then down.
          if (next() < 0.5) await ok(sb.runScript(script, ['up']));
          await ok(sb.runScript(script, ['down']));
          expect(await sb.snapshot(), `run ${i} (${signal})`).toBe(before);
          expect(await sb.processesWith(' nsd-service '), `run ${i} (${signal})`).toEqual([]);
        }
      }),
    TIMEOUT * 2,
  );

  it(
    'interrupt fuzz: 30 runs of SIGINT or SIGKILL at random moments of up and of apply on a 40-namespace lab, each followed by down: no wedge, no residue',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const base = scriptOf(bigLab(40, []));
        // The edit: five namespaces go, five others come, the port forward moves.
        const edited = scriptOf(bigLab(35, [101, 102, 103, 104, 105]));
        const files = { base: join(sb.tmpDir, 'base.sh'), edited: join(sb.tmpDir, 'edited.sh') };
        writeFileSync(files.base, base);
        writeFileSync(files.edited, edited);
        let seed = 9;
        const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
        const t = Date.now();
        await ok(sb.runScript(base, ['up']));
        const upMs = Date.now() - t;
        await ok(sb.runScript(base, ['down']));
        for (let i = 0; i < 30; i++) {
          const signal = next() < 0.5 ? 'SIGINT' : 'SIGKILL';
          const applying = i % 2 === 1;
          if (applying) await ok(sb.runScript(base, ['up']));
          const bg = sb.spawnAt('lab', ['bash', applying ? files.edited : files.base, 'up']);
          const at = Math.floor(next() * upMs);
          await new Promise((r) => setTimeout(r, at));
          try {
            process.kill(-bg.pid, signal);
          } catch {
            // it ended first
          }
          await bg.stop();
          const what = `run ${i}: ${signal} after ${at} ms of ${applying ? 'apply' : 'up'}`;
          // Never wedged: the next up goes through (sometimes), and down leaves nothing.
          if (next() < 0.3) expect((await sb.runScript(applying ? edited : base, ['up'])).code, what).toBe(0);
          expect((await sb.runScript(base, ['down'])).code, what).toBe(0);
          expect(await sb.snapshot(), what).toBe(before);
          expect(await sb.processesWith(' nsd-service '), what).toEqual([]);
        }
      }),
    900_000,
  );

  it(
    'runs one up or down of a lab at a time: a second waits, then refuses naming the holder and changing nothing',
    () =>
      withSandbox(async (sb) => {
        const script = scriptOf(loadExample('05-port-forward'));
        const before = await sb.snapshot();
        // Two ups at once: one waits for the other, and the lab is built once (no doubled jumps).
        const [a, b] = await Promise.all([sb.runScript(script, ['up']), sb.runScript(script, ['up'])]);
        expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
        const once = await sb.snapshot();
        expect((await sh(sb, 'iptables -t nat -S PREROUTING')).stdout.match(/NSD-port-forward-PRE/g)).toHaveLength(1);
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);
        await ok(sb.runScript(script, ['up']));
        expect(await sb.snapshot()).toBe(once);

        // A run that holds the lock long: the next one gives up after NSD_LOCK_WAIT seconds.
        const holder = sb.spawnAt('lab', ['flock', '/run/nsd/port-forward/lock', 'sh', '-c', 'echo "lab.sh up (pid 4242) since 2026-11-30 12:00:00 +0000" >/run/nsd/port-forward/holder; echo locked; sleep 60']);
        await holder.waitFor(/locked/);
        const busy = await sb.runScript(script, ['down'], { env: { NSD_LOCK_WAIT: '1' } });
        expect(busy.code).toBe(5);
        expect(busy.stderr).toContain('lab.sh: lab port-forward is busy: lab.sh up (pid 4242) since 2026-11-30 12:00:00 +0000 holds it; nothing was changed. Run down again when it has ended.');
        expect(busy.stderr).not.toMatch(/destroy|removes what was made/);
        await holder.stop();
        expect(await sb.snapshot()).toBe(once);
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'keeps ip_forward on while any lab needs it (each keeps its internet while the other goes) and puts back the value from before the first',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        expect((await sh(sb, 'sysctl -n net.ipv4.ip_forward')).stdout.trim()).toBe('0');
        const first = scriptOf(loadExample('04-nat'));
        const second = scriptOf(secondNat());
        await ok(sb.runScript(first, ['up']));
        await ok(sb.runScript(second, ['up']));
        const ping = (ns: string) => sb.inNamespace(ns, ['ping', '-n', '-c', '1', '-w', '2', LAB_NET.upstreamAddress]);
        expect((await ping('blue2')).code).toBe(0);

        await ok(sb.runScript(first, ['down']));
        expect((await sh(sb, 'sysctl -n net.ipv4.ip_forward')).stdout.trim()).toBe('1');
        expect((await ping('blue2')).code).toBe(0);

        await ok(sb.runScript(first, ['up']));
        await ok(sb.runScript(second, ['down']));
        expect((await ping('blue')).code).toBe(0);
        await ok(sb.runScript(first, ['down']));
        expect((await sh(sb, 'sysctl -n net.ipv4.ip_forward')).stdout.trim()).toBe('0');
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'down of a refused lab touches nothing, not even the DNS file of another lab with the same namespace name',
    () =>
      withSandbox(async (sb) => {
        await ok(sb.runScript(scriptOf(loadExample('05-port-forward')), ['up']));
        const running = await sb.snapshot();
        const other = secondNat();
        // Its namespace blue2 becomes blue: the name the running lab has.
        (other as { nodes: { id: string }[] }).nodes.find((n) => n.id === 'blue2')!.id = 'blue';
        for (const l of (other as { links: { a: { node: string } }[] }).links) if (l.a.node === 'blue2') l.a.node = 'blue';
        const script = scriptOf(other);
        const refused = await sb.runScript(script, ['up']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('namespace blue exists and was not made by this lab');
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(running);
        expect((await sh(sb, 'cat /etc/netns/blue/resolv.conf')).stdout).toBe('nameserver 1.1.1.1\n');
      }),
    TIMEOUT,
  );

  it(
    'refuses to take over a DNS file it did not write',
    () =>
      withSandbox(async (sb) => {
        await sh(sb, 'mkdir -p /etc/netns/blue && echo "nameserver 192.0.2.53" >/etc/netns/blue/resolv.conf');
        const before = await sb.snapshot();
        const script = scriptOf(loadExample('04-nat'));
        const refused = await sb.runScript(script, ['up']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain('/etc/netns/blue/resolv.conf exists and was not made by this lab (rm -r /etc/netns/blue, or rename namespace blue in the drawing)');
        await ok(sb.runScript(script, ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );
});
