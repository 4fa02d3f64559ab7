import { describe, expect, it } from 'vitest';
import { TopologyDocument } from '../../../src/shared/model/topology.js';
import { plan } from '../../../src/shared/compiler/plan.js';
import { downSteps, neighbourNeed, PHASES, RECORD_KINDS, serviceHash, upSteps, type Step } from '../../../src/shared/compiler/steps.js';
import { loadExample, loadExamples } from '../../support/examples.js';

const planOf = (input: unknown) => plan(TopologyDocument.parse(input));
const lines = (steps: Step[]) => steps.flatMap((s) => s.commands.map((c) => c.argv.join(' ')));
const indexOf = (all: string[], text: string) => {
  const i = all.indexOf(text);
  expect(i, `missing command: ${text}`).toBeGreaterThanOrEqual(0);
  return i;
};

/** N namespaces on one bridge, each with a default route through the bridge's address. */
function gatewayLab(n: number): unknown {
  const nodes: unknown[] = [{ id: 'vnet0', kind: 'bridge', addresses: ['10.0.0.1/16'] }];
  const links: unknown[] = [];
  for (let i = 1; i <= n; i++) {
    nodes.push({ id: `ns${i}`, kind: 'namespace', routes: [{ to: 'default', via: '10.0.0.1' }] });
    links.push({ id: `l${i}`, a: { node: `ns${i}`, addresses: [`10.0.${(i + 1) >> 8}.${(i + 1) & 255}/16`] }, b: { node: 'vnet0' } });
  }
  return { version: 1, name: 'big', nodes, links };
}

describe('steps', () => {
  it('asks the host for a bigger neighbour table, as a recorded shared setting, only when the lab needs more than the default', () => {
    const big = planOf(gatewayLab(500));
    expect(neighbourNeed(big)).toEqual({ 4: 1000, 6: 0 });
    const step = upSteps(big).find((s) => s.id === 'forwarding/host/neighbours-ipv4');
    expect(step?.records).toEqual([['sysctl', '-', 'net.ipv4.neigh.default.gc_thresh3']]);
    expect(step?.commands.map((c) => c.argv)).toEqual([['nsd_sysctl', 'net.ipv4.neigh.default.gc_thresh3', '2048', 'at-least']]);
    // 400 gateways' worth fits in 1024 with the margin left for the rest of the machine.
    expect(upSteps(planOf(gatewayLab(400))).some((s) => s.id.startsWith('forwarding/host/neighbours'))).toBe(false);
    for (const e of loadExamples()) expect(upSteps(planOf(e.json)).some((s) => s.id.startsWith('forwarding/host/neighbours'))).toBe(false);
  });

  it.each(loadExamples().map((e) => [e.name, e.json] as const))('keeps the phases in order for %s', (_name, json) => {
    const phases = upSteps(planOf(json)).map((s) => PHASES.indexOf(s.phase));
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
  });

  it('makes a veth end in its namespace before addressing it, addresses before up, and routes after up', () => {
    const all = lines(upSteps(planOf(loadExample('04-nat'))));
    const move = indexOf(all, 'ip link add veth-blue netns blue type veth peer name veth-blue-br');
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
      'nsd_apply',
      'ip netns add red',
      'ip netns add blue',
      'ip link add veth-red netns red type veth peer name veth-blue netns blue',
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
    
  });

  it('scopes the port forward to packets for the host, from outside and from the host itself', () => {
    const all = lines(upSteps(planOf(loadExample('05-port-forward'))));
    expect(all).toContain('iptables -t nat -A NSD-port-forward-PRE -i eth0 -m addrtype --dst-type LOCAL -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80');
    expect(all).toContain('iptables -t nat -A NSD-port-forward-OUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -p tcp --dport 80 -j DNAT --to-destination 192.168.15.2:80');
    expect(all).toContain('iptables -t filter -I FORWARD 1 -m comment --comment nsd:port-forward -j NSD-port-forward-FWD');
    // The jumps into the lab chains come after the chains are filled (and before the one service).
    expect(all.indexOf('iptables -t nat -A PREROUTING -m comment --comment nsd:port-forward -j NSD-port-forward-PRE')).toBe(all.length - 4);
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

  it('tears down from the record, kind by kind, whatever the drawing says: namespaces first (their veths and bridges with them), rules, files and routes while the kernel removes them, then the links it leaves, settings, state', () => {
    expect(downSteps().map((s) => s.commands.map((c) => c.argv.join(' ')).join('; '))).toEqual([
      'nsd_preflight down',
      'nsd_undo service',
      'nsd_undo netns',
      'nsd_undo jump chain',
      'nsd_undo dns',
      'nsd_undo route',
      'nsd_undo link',
      'nsd_undo sysctl',
      'nsd_undo dir',
      'nsd_state_remove',
    ]);
    // Every kind a step records is one that down knows.
    const kinds = new Set(Object.keys(RECORD_KINDS));
    for (const { json } of loadExamples()) for (const s of upSteps(planOf(json))) for (const r of s.records ?? []) expect(kinds, `${s.id}: ${r.join(' ')}`).toContain(r[0]);
  });

  it('records every object before the step that makes it, with the words down needs to remove it', () => {
    const steps = upSteps(planOf(loadExample('05-port-forward')));
    const records = (id: string) => steps.find((s) => s.id === id)?.records?.map((r) => r.join(' '));
    expect(records('namespaces/red')).toEqual(['netns red']);
    expect(records('namespaces/red/dns')).toEqual(['dns red']);
    expect(records('bridges/vnet0')).toEqual(['bridge vnet0 -', 'link vnet0']);
    expect(records('links/red-vnet0')).toEqual(['veth veth-red red - veth-red-br - vnet0 -', 'link veth-red', 'link veth-red-br']);
    expect(records('addresses/red-vnet0/veth-red/192.168.15.1/24')).toEqual(['addr red veth-red 192.168.15.1/24']);
    expect(records('routes/red/default')).toEqual(['route red default via 192.168.15.5']);
    expect(records('forwarding/host/ipv4')).toEqual(['sysctl - net.ipv4.ip_forward']);
    expect(records('forwarding/jump/ipv4/FORWARD')).toEqual(['jump iptables filter FORWARD NSD-port-forward-FWD']);
    expect(records('nat/masq-vnet0')).toEqual(['rule iptables nat NSD-port-forward-POST -s 192.168.15.0/24 -o eth0 -j MASQUERADE']);
    expect(records('services/blue/web')).toEqual([`service blue web ${serviceHash('echo "<h1>Hello from blue</h1>" >index.html && exec python3 -m http.server 80')}`]);
    // Every step that makes something with a guard says what it makes.
    for (const s of steps) if (s.unless) expect(s.records, s.id).toBeDefined();
  });

  it('records IPv6 host routes so that down deletes them with ip -6', () => {
    const p = planOf({
      version: 1,
      name: 'v6',
      nodes: [
        { id: 'host', kind: 'host', routes: [{ to: 'fd01::/64', via: 'fd00::1', metric: 5 }] },
        { id: 'red', kind: 'namespace' },
      ],
      links: [{ id: 'l', a: { node: 'red', addresses: ['fd00::1/64'] }, b: { node: 'host', addresses: ['fd00::2/64'] } }],
    });
    expect(upSteps(p).find((s) => s.id === 'routes/host/fd01::/64')?.records).toEqual([['route', '-', '-6', 'fd01::/64', 'via', 'fd00::1', 'metric', '5']]);
  });

  it('starts each service after the lab is complete, records its command as a fingerprint, and keeps one that runs', () => {
    const doc = structuredClone(loadExample('05-port-forward')) as { nodes: Array<Record<string, unknown>> };
    const steps = upSteps(planOf(doc));
    const web = steps.find((s) => s.id === 'services/blue/web')!;
    expect(web.phase).toBe('services');
    expect(steps.at(-1)).toBe(web);
    expect(web.element).toBe('blue');
    expect(web.unless?.argv).toEqual(['nsd_service_started', 'blue', 'web']);
    const command = 'echo "<h1>Hello from blue</h1>" >index.html && exec python3 -m http.server 80';
    expect(web.commands.map((c) => c.argv)).toEqual([['nsd_service_start', 'blue', 'web', command]]);
    expect(web.records).toEqual([['service', 'blue', 'web', serviceHash(command)]]);
    // Another command, another record line: apply stops the old one and starts the new.
    expect(serviceHash(command)).toMatch(/^[0-9a-f]{8}$/);
    expect(serviceHash(`${command} `)).not.toBe(serviceHash(command));
    expect(serviceHash('é')).toBe(serviceHash('é'));
    expect(PHASES.indexOf('services')).toBe(PHASES.indexOf('verify') - 1);
  });

  it('tags what an interrupted run may have left untagged, even when the guard says it exists', () => {
    const steps = upSteps(planOf(loadExample('03-host-bridge')));
    const ns = steps.find((s) => s.id === 'namespaces/red')!;
    expect(ns.commands.map((c) => c.argv.join(' '))).toEqual(['ip netns add red']);
    expect(ns.after?.map((c) => c.argv.join(' '))).toEqual(['ip -n red link set lo alias nsd:host-bridge']);
    expect(steps.find((s) => s.id === 'bridges/vnet0')!.after?.map((c) => c.argv.join(' '))).toEqual(['ip link set vnet0 alias nsd:host-bridge', 'ip link set vnet0 addrgenmode none']);
  });

  it('keeps every interface without an IPv6 address in the drawing without a link-local one, as an IPv6 setting, before it goes up', () => {
    const p = planOf({
      version: 1,
      name: 'quiet',
      nodes: [
        { id: 'vnet0', kind: 'bridge', addresses: ['10.0.0.1/24'] },
        { id: 'vnet6', kind: 'bridge', addresses: ['fd00:6::1/64'] },
        { id: 'red', kind: 'namespace' },
        { id: 'blue', kind: 'namespace' },
      ],
      links: [
        { id: 'red-vnet0', a: { node: 'red', addresses: ['10.0.0.2/24'] }, b: { node: 'vnet0' } },
        { id: 'blue-vnet6', a: { node: 'blue', addresses: ['10.0.6.2/24', 'fd00:6::2/64'] }, b: { node: 'vnet6' } },
      ],
    });
    const steps = upSteps(p);
    const quiet = steps.flatMap((s) => (s.after ?? []).filter((c) => c.ipv6).map((c) => `${s.phase} ${c.argv.join(' ')}`));
    // Not blue's end nor vnet6, which have IPv6 addresses; both ends of red's cable (the bridge port too) and vnet0.
    expect(quiet.sort()).toEqual(
      ['bridges ip link set vnet0 addrgenmode none', 'links ip -n red link set veth-red addrgenmode none', 'links ip link set veth-red-br addrgenmode none', 'links ip link set veth-blue-br addrgenmode none'].sort(),
    );
    expect(PHASES.indexOf('links')).toBeLessThan(PHASES.indexOf('up'));
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

  it("impairs the egress of both ends with a link's netem, an end's own netem instead, recorded before tc runs", () => {
    const doc = structuredClone(loadExample('02-bridge')) as { links: Array<Record<string, unknown> & { a: Record<string, unknown>; b: Record<string, unknown> }> };
    doc.links[0]!.netem = { delayMs: 50, lossPercent: 1 };
    doc.links[0]!.b.netem = { rateMbit: 10 };
    const p = planOf(doc);
    const steps = upSteps(p);
    const v = p.veths[0]!;
    const netem = steps.filter((s) => s.id.endsWith('/netem'));
    expect(netem.map((s) => [s.element, s.records, s.commands.map((c) => c.argv.join(' '))])).toEqual([
      [v.link, [['qdisc', v.a.netns ?? '-', v.a.name, 'delay', '50ms', 'loss', '1%']], [`tc -n ${v.a.netns} qdisc replace dev ${v.a.name} root netem delay 50ms loss 1%`]],
      [v.link, [['qdisc', '-', v.b.name, 'rate', '10000kbit']], [`tc qdisc replace dev ${v.b.name} root netem rate 10000kbit`]],
    ]);
    // After the pair exists and is in its namespace, in the links phase.
    const all = steps.map((s) => s.id);
    expect(all.indexOf(netem[0]!.id)).toBeGreaterThan(all.indexOf(`links/${v.link}`));
    expect(netem.every((s) => s.phase === 'links')).toBe(true);
    expect(Object.keys(RECORD_KINDS)).toContain('qdisc');
    // Without netem: no tc at all.
    expect(lines(upSteps(planOf(loadExample('02-bridge')))).some((l) => l.startsWith('tc '))).toBe(false);
  });
});
