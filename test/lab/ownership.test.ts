/**
 * A lab owns only what it made: unrelated namespaces, links and iptables rules on the lab host
 * survive up and down, and a stranger that holds one of the lab's names stops `up` before it
 * changes anything (and is left alone by `down`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
        await sh(sb, 'ip netns add red && ip link add vnet0 type bridge && mkdir -p /etc/netns/blue && echo nameserver 192.0.2.53 >/etc/netns/blue/resolv.conf');
        const before = await sb.snapshot();
        const script = scriptOf('04-nat');
        const up = await sb.runScript(script, ['up']);
        expect(up.code).toBe(1);
        expect(up.stderr).toContain('namespace red exists and was not made by this lab (ip netns del red, or rename it in the drawing)');
        expect(up.stderr).toContain('interface vnet0 exists in the host and was not made by this lab');
        expect(up.stderr).toContain('/etc/netns/blue/resolv.conf exists and was not made by this lab (rm -r /etc/netns/blue, or rename namespace blue in the drawing)');
        expect((await sh(sb, 'cat /etc/netns/blue/resolv.conf')).stdout).toBe('nameserver 192.0.2.53\n');
        expect(await sb.snapshot()).toBe(before);
        const down = await sb.runScript(script, ['down']);
        expect(down.code).toBe(0);
        // The refused up recorded nothing, so down has nothing of the lab's to look at.
        expect(down.stderr).toBe('');
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    "deletes its bridge with its namespaces, but leaves a stranger's bridge that took the name meanwhile",
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const script = scriptOf('02-bridge');
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        // Down deletes the record's bridges in the batch that deletes its namespaces, after
        // checking their tag: a bridge of another lab under the same name is not the lab's.
        await sh(sb, 'ip link del vnet0 && ip link add vnet0 type bridge && ip link set vnet0 alias nsd:other');
        const down = await sb.runScript(script, ['down']);
        expect(down.code).toBe(0);
        expect(down.stderr).toContain('leaving interface vnet0 alone: it carries another tag than nsd:bridge');
        expect((await sh(sb, 'ip -o link show dev vnet0')).stdout).toContain('alias nsd:other');
        await sh(sb, 'ip link del vnet0');
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    "removes its iptables jumps and chains with one iptables-restore, as the record names them; a jump there twice with iptables-save and one more restore; when a stranger's rule still jumps into a chain, names the command that fails",
    () =>
      withSandbox(async (sb) => {
        // Every iptables program the script starts is logged, then run.
        const bin = join(sb.tmpDir, 'logged-bin');
        const log = join(sb.tmpDir, 'iptables.log');
        mkdirSync(bin);
        for (const tool of ['iptables', 'iptables-save', 'iptables-restore']) {
          const real = (await sh(sb, `command -v ${tool}`)).stdout.trim();
          writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >>${log}\nexec ${real} "$@"\n`, { mode: 0o755 });
        }
        const path = `${bin}:${(await sh(sb, 'echo "$PATH"')).stdout.trim()}`;
        const calls = async () => (await sh(sb, `cat ${log} 2>/dev/null; rm -f ${log}`)).stdout.split('\n').filter(Boolean);
        const before = await sb.snapshot();
        const script = scriptOf('05-port-forward');
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        // As up left them: the host's rules are not read at all.
        let down = await sb.runScript(script, ['down'], { env: { PATH: path } });
        expect(down.code, down.stderr).toBe(0);
        expect(await calls()).toEqual(['iptables-restore --noflush']);
        expect(await sb.snapshot()).toBe(before);

        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        await sh(sb, 'iptables -t nat -A POSTROUTING -m comment --comment nsd:port-forward -j NSD-port-forward-POST');
        down = await sb.runScript(script, ['down'], { env: { PATH: path } });
        expect(down.code, down.stderr).toBe(0);
        // The restore of the record's jumps is refused (the chain is still jumped to); the jumps iptables-save shows go.
        expect(await calls()).toEqual(['iptables-restore --noflush', 'iptables-save ', 'iptables-restore --noflush']);
        expect(await sb.snapshot()).toBe(before);

        // A jump removed by hand since: the same.
        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        await sh(sb, 'iptables -t nat -D POSTROUTING -m comment --comment nsd:port-forward -j NSD-port-forward-POST');
        down = await sb.runScript(script, ['down'], { env: { PATH: path } });
        expect(down.code, down.stderr).toBe(0);
        expect(await calls()).toEqual(['iptables-restore --noflush', 'iptables-save ', 'iptables-restore --noflush']);
        expect(await sb.snapshot()).toBe(before);

        expect((await sb.runScript(script, ['up'])).code).toBe(0);
        await sh(sb, 'iptables -A FORWARD -s 10.99.0.0/16 -j NSD-port-forward-FWD');
        down = await sb.runScript(script, ['down'], { env: { PATH: path } });
        expect(down.code).not.toBe(0);
        expect(down.stderr).toMatch(/FAILED at step \d+\/\d+ \(nat, -\): remove the jumps from the host's iptables chains, then the lab's chains and their rules\n {2}command: iptables -t filter -X NSD-port-forward-FWD\n/);
        // The restore was refused; then each jump and chain was checked and removed, up to the one in use.
        const tried = await calls();
        expect(tried.slice(0, 3)).toEqual(['iptables-restore --noflush', 'iptables-save ', 'iptables-restore --noflush']);
        expect(tried.at(-1)).toBe('iptables -t filter -X NSD-port-forward-FWD');
        expect((await sh(sb, 'iptables -S NSD-port-forward-FWD')).stdout).toBe('-N NSD-port-forward-FWD\n');
        await sh(sb, 'iptables -D FORWARD -s 10.99.0.0/16 -j NSD-port-forward-FWD');
        down = await sb.runScript(script, ['down']);
        expect(down.code, down.stderr).toBe(0);
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

  it(
    'names a missing uplink (listing the lab host\'s own interfaces) and a stranger on a transit name before changing anything, and clears its own leftover',
    () =>
      withSandbox(async (sb) => {
        const doc = loadExample('04-nat') as { nodes: { id: string; uplink?: string }[] };
        doc.nodes.find((n) => n.id === 'host')!.uplink = 'wan0';
        const noUplink = compile(doc);
        if (!noUplink.ok) throw new Error(JSON.stringify(noUplink.problems));
        // veth-red is made in the host, then moved into red: a stranger holding that name is in the way.
        await sh(sb, 'ip link add veth-red type veth peer name stranger0');
        const before = await sb.snapshot();
        const up = await sb.runScript(noUplink.script, ['up']);
        expect(up.code).toBe(1);
        expect(up.stderr).toContain('interface veth-red exists in the host; the lab needs that name there while it creates a veth pair');
        const listed = /the uplink wan0 does not exist; set the host's uplink in the drawing to one of: (.*)$/m.exec(up.stderr)?.[1]?.split(' ').sort();
        const names = JSON.parse((await sh(sb, 'ip -j link show')).stdout) as { ifname: string }[];
        expect(listed).toEqual(names.map((l) => l.ifname).sort());
        expect(await sb.snapshot()).toBe(before);

        // The same name left tagged by an interrupted run of this lab is removed, and up goes on.
        await sh(sb, 'ip link del veth-red');
        const clean = await sb.snapshot();
        await sh(sb, 'ip link add veth-red type veth peer name leftover0 && ip link set veth-red alias nsd:nat');
        const script = scriptOf('04-nat');
        const resumed = await sb.runScript(script, ['up']);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect((await sb.lab(['ip', 'link', 'show', 'leftover0'])).code).not.toBe(0);
        expect((await sb.runScript(script, ['down'])).code).toBe(0);
        expect(await sb.snapshot()).toBe(clean);
      }),
    TIMEOUT,
  );
});
