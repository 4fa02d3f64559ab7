import { describe, expect, it } from 'vitest';
import { TopologyDocument } from '../../../src/shared/model/topology.js';
import { plan } from '../../../src/shared/compiler/plan.js';
import { downSteps, PHASES, upSteps, type Step } from '../../../src/shared/compiler/steps.js';
import { loadExample, loadExamples } from '../../support/examples.js';

const planOf = (input: unknown) => plan(TopologyDocument.parse(input));
const lines = (steps: Step[]) => steps.flatMap((s) => s.commands.map((c) => c.argv.join(' ')));
const indexOf = (all: string[], text: string) => {
  const i = all.indexOf(text);
  expect(i, `missing command: ${text}`).toBeGreaterThanOrEqual(0);
  return i;
};

describe('steps', () => {
  it.each(loadExamples().map((e) => [e.name, e.json] as const))('keeps the phases in order for %s', (_name, json) => {
    const phases = upSteps(planOf(json)).map((s) => PHASES.indexOf(s.phase));
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
  });

  it('moves a veth end before addressing it, addresses before up, and routes after up', () => {
    const all = lines(upSteps(planOf(loadExample('04-nat'))));
    const move = indexOf(all, 'ip link set veth-blue netns blue');
    const addr = indexOf(all, 'ip -n blue addr replace 192.168.15.2/24 dev veth-blue');
    const up = indexOf(all, 'ip -n blue link set veth-blue up');
    const lo = indexOf(all, 'ip -n blue link set lo up');
    const route = indexOf(all, 'ip -n blue route replace default via 192.168.15.5');
    expect(move).toBeLessThan(addr);
    expect(addr).toBeLessThan(up);
    expect(lo).toBeLessThan(route);
    expect(up).toBeLessThan(route);
  });

  it('writes the tutorial commands for two namespaces on a veth', () => {
    expect(lines(upSteps(planOf(loadExample('01-veth-pair'))))).toEqual([
      'nsd_preflight up',
      'ip netns add red',
      'ip -n red link set lo alias nsd:veth-pair',
      'ip netns add blue',
      'ip -n blue link set lo alias nsd:veth-pair',
      'ip link add veth-red type veth peer name veth-blue',
      'ip link set veth-red alias nsd:veth-pair',
      'ip link set veth-blue alias nsd:veth-pair',
      'ip link set veth-red netns red',
      'ip link set veth-blue netns blue',
      'ip -n red addr replace 192.168.15.1/24 dev veth-red',
      'ip -n blue addr replace 192.168.15.2/24 dev veth-blue',
      'ip -n red link set lo up',
      'ip -n blue link set lo up',
      'ip -n red link set veth-red up',
      'ip -n blue link set veth-blue up',
    ]);
  });

  it('turns on ip_forward for routers and for the host that does NAT, saving the host value', () => {
    expect(lines(upSteps(planOf(loadExample('06-router'))))).toContain('ip netns exec router sysctl -qw net.ipv4.ip_forward=1');
    const nat = lines(upSteps(planOf(loadExample('04-nat'))));
    expect(nat).toContain('nsd_sysctl net.ipv4.ip_forward 1');
    expect(lines(downSteps(planOf(loadExample('04-nat'))))).toContain('nsd_sysctl_restore net.ipv4.ip_forward');
  });

  it('scopes the port forward to packets for the host, from outside and from the host itself', () => {
    const all = lines(upSteps(planOf(loadExample('05-port-forward'))));
    expect(all).toContain('iptables -t nat -A NSD-port-forward-PRE -i eth0 -m addrtype --dst-type LOCAL -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80');
    expect(all).toContain('iptables -t nat -A NSD-port-forward-OUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80');
    expect(all).toContain('iptables -t filter -I FORWARD 1 -m comment --comment nsd:port-forward -j NSD-port-forward-FWD');
    // The jumps into the lab chains come after the chains are filled.
    expect(all.indexOf('iptables -t nat -A PREROUTING -m comment --comment nsd:port-forward -j NSD-port-forward-PRE')).toBe(all.length - 3);
  });

  it('guards every non-idempotent command with a check', () => {
    for (const { json } of loadExamples()) {
      for (const s of upSteps(planOf(json))) {
        for (const c of s.commands) {
          const text = c.argv.join(' ');
          if (/^ip (netns add|link add)|iptables .* -[AIN] /.test(text)) expect(s.unless, `${s.id}: ${text}`).toBeDefined();
        }
      }
    }
  });

  it('tears down in reverse: rules first, then links, namespaces, bridges, state', () => {
    const down = downSteps(planOf(loadExample('05-port-forward'))).map((s) => s.commands[0]!.argv.slice(0, 2).join(' '));
    expect(down).toEqual([
      'nsd_preflight down',
      'nsd_chain_remove iptables',
      'nsd_chain_remove iptables',
      'nsd_chain_remove iptables',
      'nsd_chain_remove iptables',
      'nsd_sysctl_restore net.ipv4.ip_forward',
      'nsd_link_remove veth-red-br',
      'nsd_link_remove veth-blue-br',
      'nsd_netns_remove red',
      'nsd_dns_remove red',
      'nsd_netns_remove blue',
      'nsd_dns_remove blue',
      'nsd_link_remove vnet0',
      'nsd_state_remove',
    ]);
  });

  it('adds IPv6 addresses without duplicate address detection, and IPv6 routes with -6', () => {
    const p = planOf({
      version: 1,
      name: 'v6',
      nodes: [
        { id: 'red', kind: 'namespace', routes: [{ to: 'default6', via: 'fd00::2' }] },
        { id: 'blue', kind: 'namespace', router: true },
      ],
      links: [{ id: 'l', a: { node: 'red', addresses: ['fd00::1/64'] }, b: { node: 'blue', addresses: ['fd00::2/64'] } }],
    });
    const all = lines(upSteps(p));
    expect(all).toContain('ip -n red addr replace fd00::1/64 dev veth-red nodad');
    expect(all).toContain('ip -n red -6 route replace default via fd00::2');
    expect(all).toContain('ip netns exec blue sysctl -qw net.ipv6.conf.all.forwarding=1');
  });
});
