import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/shared/compiler/index.js';
import { captureCommand, captureEnd, execCommand, LiveTargetError, nodeTarget, shellCommand, type CompiledLab } from '../../../src/shared/live/remote-commands.js';
import { loadExample } from '../../support/examples.js';

function lab(name: string): CompiledLab {
  const r = compile(loadExample(name));
  if (!r.ok) throw new Error(`example ${name} does not compile`);
  return r;
}

/** A document whose namespace name differs from its id, and whose generated interface names come from the compiler. */
function renamed(): CompiledLab {
  const r = compile({
    version: 1,
    name: 'renamed',
    nodes: [
      { id: 'red', kind: 'namespace', name: 'ns-red' },
      { id: 'blue', kind: 'namespace' },
    ],
    links: [{ id: 'red-blue', a: { node: 'red', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', addresses: ['10.0.0.2/24'] } }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r;
}

describe('remote-commands', () => {
  it.each([
    ['01-veth-pair', 'red', 'red'],
    ['06-router', 'router', 'router'],
    ['03-host-bridge', 'host', null],
  ])('finds the namespace of %s node %s', (example, node, netns) => {
    expect(nodeTarget(lab(example), node)).toEqual({ node, netns });
  });

  it('uses the namespace name of the plan, not the node id', () => {
    expect(nodeTarget(renamed(), 'red').netns).toBe('ns-red');
    expect(execCommand(nodeTarget(renamed(), 'red'), ['ip', '-br', 'addr'])).toBe('exec ip netns exec ns-red ip -br addr');
  });

  it.each([
    ['03-host-bridge', 'vnet0', /is a bridge: it has no shell of its own/],
    ['04-nat', 'internet', /is a internet: it has no shell/],
    ['01-veth-pair', 'green', /node "green" is not in lab veth-pair; pick one of: red, blue/],
  ])('refuses %s node %s with a sentence', (example, node, message) => {
    expect(() => nodeTarget(lab(example), node)).toThrow(LiveTargetError);
    expect(() => nodeTarget(lab(example), node)).toThrow(message);
  });

  it('quotes every word so the host shell runs exactly the argv given', () => {
    const argv = ['printf', '%s|', "it's", 'a b', '$HOME', '`id`', ';', ''];
    const line = execCommand({ node: 'host', netns: null }, argv);
    expect(execFileSync('bash', ['-c', line], { encoding: 'utf8' })).toBe("it's|a b|$HOME|`id`|;||");
  });

  it('refuses an empty command and a namespace name that is not a name', () => {
    expect(() => execCommand({ node: 'red', netns: 'red' }, [])).toThrow('no command given');
    expect(() => execCommand({ node: 'red', netns: 'red; reboot' }, ['true'])).toThrow('namespace "red; reboot" is not a valid name');
  });

  it('opens an interactive bash with the node in its prompt', () => {
    expect(shellCommand(nodeTarget(lab('01-veth-pair'), 'red'))).toBe("exec ip netns exec red env 'PS1=red:\\w# ' bash --norc -i");
    expect(shellCommand(nodeTarget(lab('03-host-bridge'), 'host'))).toBe("exec env 'PS1=host:\\w# ' bash --norc -i");
  });

  it('finds a link end: its node, namespace and the interface name the compiler generated', () => {
    const l = renamed();
    const veth = l.plan.veths[0]!;
    expect(captureEnd(l, 'red-blue')).toEqual({ link: 'red-blue', end: 'a', node: 'red', netns: 'ns-red', iface: veth.a.name });
    expect(captureEnd(l, 'red-blue.b')).toEqual({ link: 'red-blue', end: 'b', node: 'blue', netns: 'blue', iface: veth.b.name });
    // A bridge port's end lives on the host.
    expect(captureEnd(lab('03-host-bridge'), 'red-vnet0.b')).toMatchObject({ node: 'host', netns: null });
  });

  it.each([
    ['01-veth-pair', 'nope', /link "nope" is not in lab veth-pair; pick one of: red-blue/],
    ['01-veth-pair', 'nope.b', /link "nope" is not in lab/],
    ['04-nat', 'host-internet', /is the host's uplink.*tcpdump -i eth0/],
  ])('refuses %s link %s with a sentence', (example, spec, message) => {
    expect(() => captureEnd(lab(example), spec)).toThrow(message);
  });

  it('captures summaries or a pcap stream, with a count and a filter, and names tcpdump\'s package when it is missing', () => {
    const end = captureEnd(lab('01-veth-pair'), 'red-blue.b');
    const summary = captureCommand(end, { pcap: false, filter: ['icmp', 'and', 'host', '192.168.15.1'] });
    expect(summary).toContain("exec ip netns exec blue tcpdump -i veth-blue -l -nn 'icmp and host 192.168.15.1'");
    expect(captureCommand(end, { pcap: true, count: 3 })).toContain('exec ip netns exec blue tcpdump -i veth-blue -U -w - -c 3');
    const missing = (() => {
      try {
        execFileSync('/bin/bash', ['-c', summary], { env: { PATH: '/nonexistent', HOME: '/nonexistent' }, encoding: 'utf8', stdio: 'pipe' });
        return undefined;
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(missing?.status).toBe(127);
    expect(missing?.stderr).toBe('nsd: tcpdump is not installed on the lab host (on Debian or Ubuntu: apt-get install tcpdump)\n');
  });

  it('refuses a filter that tcpdump would read as an option, and a count that is not a whole number', () => {
    const end = captureEnd(lab('01-veth-pair'), 'red-blue');
    expect(() => captureCommand(end, { pcap: false, filter: ['-w', '/etc/passwd'] })).toThrow(/starts with "-"/);
    expect(() => captureCommand(end, { pcap: false, count: 0 })).toThrow(/not a positive whole number/);
  });
});
