import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS, validate, validateText } from '../../../src/shared/compiler/validate.js';
import { readExamples } from '../../../src/main/package-paths.js';

/** severity, element, path, a substring of the message. */
type Expected = [severity: 'error' | 'warning', element: string | null, path: string, message: string];

interface Case {
  name: string;
  /** Changes to the NAT lab below: `path -> value`, undefined deletes. */
  patch?: Record<string, unknown>;
  /** A whole document instead of a patched lab. */
  input?: unknown;
  problems: Expected[];
}

/** Tutorial step 8: a bridge with two namespaces, NAT and a port forward. Valid, no warnings. */
const LAB = {
  version: 1,
  name: 'lab',
  nodes: [
    { id: 'internet', kind: 'internet', target: '203.0.113.1' },
    { id: 'host', kind: 'host', uplink: 'eth0' },
    { id: 'vnet0', kind: 'bridge', addresses: ['192.168.15.5/24'] },
    { id: 'red', kind: 'namespace', routes: [{ to: 'default', via: '192.168.15.5' }], dns: ['1.1.1.1'] },
    { id: 'blue', kind: 'namespace', routes: [{ to: 'default', via: '192.168.15.5' }], dns: ['1.1.1.1'] },
  ],
  links: [
    { id: 'uplink', a: { node: 'host' }, b: { node: 'internet' } },
    { id: 'red-vnet0', a: { node: 'red', addresses: ['192.168.15.1/24'] }, b: { node: 'vnet0' } },
    { id: 'blue-vnet0', a: { node: 'blue', addresses: ['192.168.15.2/24'] }, b: { node: 'vnet0' } },
  ],
  nat: {
    masquerade: [{ id: 'masq', source: '192.168.15.0/24', out: 'eth0' }],
    portForwards: [{ id: 'web', proto: 'tcp', hostPort: 80, to: '192.168.15.2' }],
  },
  probes: [{ id: 'red-to-blue', from: 'red', to: 'blue' }],
  notes: [{ id: 'note1', text: 'ignored', position: { x: 1, y: 2 } }],
};

/** Red and blue on one veth cable, no host. */
const PAIR = {
  version: 1,
  name: 'pair',
  nodes: [
    { id: 'red', kind: 'namespace' },
    { id: 'blue', kind: 'namespace' },
  ],
  links: [{ id: 'red-blue', a: { node: 'red', ifname: 'veth-red', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', ifname: 'veth-blue', addresses: ['10.0.0.2/24'] } }],
};

function patched(base: unknown, patch: Record<string, unknown>): unknown {
  const doc = structuredClone(base);
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split(/[.[\]]+/).filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let target = doc as Record<PropertyKey, unknown>;
    keys.slice(0, -1).forEach((key, i) => {
      target[key] ??= typeof keys[i + 1] === 'number' ? [] : {};
      target = target[key] as Record<PropertyKey, unknown>;
    });
    const last = keys.at(-1)!;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return doc;
}

function check(input: unknown, problems: Expected[]): void {
  const result = validate(input);
  const got = result.ok ? result.warnings : result.problems;
  expect(got.map((p) => [p.severity, p.element, p.path, p.message])).toEqual(problems.map(([s, e, p, m]) => [s, e, p, expect.stringContaining(m)]));
  expect(result.ok).toBe(!problems.some(([s]) => s === 'error'));
}

function table(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => check('input' in c ? c.input : patched(LAB, c.patch ?? {}), c.problems));
}

describe('validate', () => {
  it('accepts the NAT lab used by these tests without problems', () => {
    check(LAB, []);
    check(PAIR, []);
  });

  it('accepts every bundled example with no errors and no warnings', () => {
    const examples = readExamples();
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const { id, text } of examples) {
      const result = validateText(text);
      expect({ id, problems: result.ok ? result.warnings : result.problems }).toEqual({ id, problems: [] });
    }
  });

  it('returns the parsed document with defaults and the resolved view when valid', () => {
    const result = validate(PAIR);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.doc.nat).toEqual({ masquerade: [], portForwards: [] });
    expect(result.resolved.ifaces.map((i) => i.name)).toEqual(['veth-red', 'veth-blue']);
  });

  describe('reports schema errors', () => {
    table([
      { name: 'a non-object document', input: [1, 2], problems: [['error', null, '', 'must be a JSON object']] },
      { name: 'null', input: null, problems: [['error', null, '', 'not null']] },
      { name: 'an unsupported version', patch: { version: 2 }, problems: [['error', null, 'version', 'version 2 is not supported; this app reads documents of version 1']] },
      { name: 'a missing version', patch: { version: undefined }, problems: [['error', null, 'version', 'version is missing; add "version": 1']] },
      { name: 'an unknown top-level field', patch: { colour: 'red' }, problems: [['error', null, 'colour', 'unknown field "colour"']] },
      { name: 'an unknown field in a node', patch: { 'nodes[3].colour': 'red' }, problems: [['error', 'red', 'nodes[3].colour', 'unknown field "colour"']] },
      { name: 'an unknown field in a port forward', patch: { 'nat.portForwards[0].port': 1 }, problems: [['error', 'web', 'nat.portForwards[0].port', 'unknown field "port"']] },
      { name: 'an unknown node kind', patch: { 'nodes[3].kind': 'router' }, problems: [['error', 'red', 'nodes[3].kind', 'kind "router" is not known; use one of namespace, bridge, host, internet']] },
      { name: 'a missing field', patch: { 'links[1].a.node': undefined }, problems: [['error', 'red-vnet0', 'links[1].a.node', 'node is missing; add it']] },
      { name: 'a wrong type', patch: { 'nat.portForwards[0].hostPort': '80' }, problems: [['error', 'web', 'nat.portForwards[0].hostPort', 'hostPort must be a number, not a string "80"']] },
      { name: 'a number out of range', patch: { 'nat.portForwards[0].hostPort': 70000 }, problems: [['error', 'web', 'nat.portForwards[0].hostPort', 'hostPort 70000 is too large; the largest allowed is 65535']] },
      { name: 'a bad enum value', patch: { 'nat.portForwards[0].proto': 'icmp' }, problems: [['error', 'web', 'nat.portForwards[0].proto', 'proto "icmp" is not allowed; use one of "tcp", "udp"']] },
      { name: 'too many name servers', patch: { 'nodes[3].dns': ['1.1.1.1', '1.0.0.1', '8.8.8.8', '9.9.9.9'] }, problems: [['error', 'red', 'nodes[3].dns', 'dns has 4 entries; at most 3 are allowed']] },
      { name: 'an address without prefix', patch: { 'links[1].a.addresses[0]': '192.168.15.1' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address "192.168.15.1" is not an address with a prefix length']] },
      { name: 'a gateway that is no IP', patch: { 'nodes[3].routes[0].via': '192.168.15' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'via "192.168.15" is not an IP address']] },
      { name: 'a route with neither via nor dev', patch: { 'nodes[3].routes[0].via': undefined }, problems: [['error', 'red', 'nodes[3].routes[0]', 'route needs a gateway ("via") or an interface ("dev")']] },
      { name: 'a raw element id even when it is invalid', patch: { 'links[1].id': 'a b' }, problems: [['error', 'a b', 'links[1].id', 'id "a b" is not a valid name']] },
      { name: 'one problem per field', patch: { 'nodes[3].name': '' }, problems: [['error', 'red', 'nodes[3].name', 'namespace name "" is empty']] },
      {
        name: 'an array above the schema cap without parsing it',
        input: { version: 1, name: 'big', nodes: new Array(100_001).fill(0) },
        problems: [['error', null, 'nodes', 'the document has 100001 nodes; at most 100000 are supported']],
      },
    ]);
  });

  describe('rejects names that would inject shell text', () => {
    table([
      { name: 'a command separator in a namespace name', patch: { 'nodes[3].name': 'red;reboot' }, problems: [['error', 'red', 'nodes[3].name', 'namespace name "red;reboot" is not a valid name; use a letter or digit first']] },
      { name: 'command substitution in an id', patch: { 'nodes[4].id': '$(id)' }, problems: [['error', '$(id)', 'nodes[4].id', 'id "$(id)" is not a valid name']] },
      { name: 'a space in a bridge name', patch: { 'nodes[2].name': 'a b' }, problems: [['error', 'vnet0', 'nodes[2].name', 'interface name "a b" is not a valid name']] },
      { name: 'a leading dash in the lab name', patch: { name: '-rf' }, problems: [['error', null, 'name', 'lab name "-rf" is not a valid name']] },
      { name: 'a Cyrillic lookalike in an interface name', patch: { 'links[1].a.ifname': 'v\u0435th0' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "v\\u0435th0" is not a valid name']] },
      { name: 'a backtick in the uplink', patch: { 'nodes[1].uplink': 'eth0`id`' }, problems: [['error', 'host', 'nodes[1].uplink', 'interface name "eth0`id`" is not a valid name']] },
      { name: 'a newline in a link end node', patch: { 'links[1].a.node': 'red\nreboot' }, problems: [['error', 'red-vnet0', 'links[1].a.node', 'id "red\\nreboot" is not a valid name']] },
      { name: 'shell text in a probe target', patch: { 'probes[0].to': '$(reboot)' }, problems: [['error', 'red-to-blue', 'probes[0].to', '"$(reboot)" is neither a node id nor an IP address']] },
      { name: 'an over-long interface name', patch: { 'links[1].a.ifname': 'veth-way-too-long' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "veth-way-too-long" is longer than 15 characters']] },
    ]);
  });

  describe('reports duplicate ids and names', () => {
    table([
      { name: 'a probe reusing a node id', patch: { 'probes[0].id': 'red' }, problems: [['error', 'red', 'probes[0].id', 'id "red" is already used by the node at nodes[3]']] },
      { name: 'a note reusing a link id', patch: { 'notes[0].id': 'uplink' }, problems: [['error', 'uplink', 'notes[0].id', 'id "uplink" is already used by the link at links[0]']] },
      { name: 'a masquerade rule reusing a port forward id', patch: { 'nat.masquerade[0].id': 'web' }, problems: [['error', 'web', 'nat.portForwards[0].id', 'id "web" is already used by the masquerade rule at nat.masquerade[0]']] },
      {
        name: 'two namespaces with one name',
        patch: { 'nodes[4].name': 'red' },
        problems: [['error', 'blue', 'nodes[4].name', 'namespace name "red" is already used by node red']],
      },
      { name: 'a second host node', patch: { 'nodes[5]': { id: 'host2', kind: 'host' } }, problems: [['error', 'host2', 'nodes[5].kind', 'only one Host node is allowed and host already is one']] },
      { name: 'two bridges with one name', patch: { 'nodes[5]': { id: 'vnet1', kind: 'bridge', name: 'vnet0' } }, problems: [['error', 'vnet1', 'nodes[5].name', 'bridge name "vnet0" is already used by the bridge vnet0']] },
      { name: 'a bridge named like the uplink', patch: { 'nodes[2].id': 'eth0', 'links[1].b.node': 'eth0', 'links[2].b.node': 'eth0' }, problems: [['error', 'eth0', 'nodes[2].id', `bridge name "eth0" is already used by the host's uplink`]] },
    ]);
  });

  describe('reports interface name clashes', () => {
    table([
      {
        name: 'two interfaces with one name in a namespace',
        patch: {
          'links[1].a.ifname': 'e0',
          'links[3]': { id: 'red-blue', a: { node: 'red', ifname: 'e0', addresses: ['10.0.0.1/30'] }, b: { node: 'blue', addresses: ['10.0.0.2/30'] } },
        },
        problems: [['error', 'red-blue', 'links[3].a.ifname', 'interface name "e0" is already used in namespace red by link red-vnet0']],
      },
      { name: 'a namespace end named like a bridge', patch: { 'links[1].a.ifname': 'vnet0' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "vnet0" is also used by the bridge vnet0 in the host\'s root namespace']] },
      {
        // The generator steps around names the host already uses, so there is nothing to report.
        name: 'nothing when a bridge takes the name a namespace end would get',
        patch: { 'nodes[2].name': 'veth-red' },
        problems: [],
      },
      {
        name: 'a host end named like a bridge',
        patch: { 'links[3]': { id: 'host-red', a: { node: 'host', ifname: 'vnet0', addresses: ['10.0.0.1/30'] }, b: { node: 'red', addresses: ['10.0.0.2/30'] } } },
        problems: [['error', 'host-red', 'links[3].a.ifname', 'interface name "vnet0" is already used by the bridge vnet0 in the host\'s root namespace']],
      },
      { name: 'a bridge port named like the uplink', patch: { 'links[1].b.ifname': 'eth0' }, problems: [['error', 'red-vnet0', 'links[1].b.ifname', `interface name "eth0" is already used by the host's uplink`]] },
      { name: 'the loopback name', patch: { 'links[1].a.ifname': 'lo' }, problems: [['error', 'red-vnet0', 'links[1].a.ifname', 'interface name "lo" is reserved by the kernel']] },
      { name: 'a bridge called all', patch: { 'nodes[2].name': 'all' }, problems: [['error', 'vnet0', 'nodes[2].name', 'bridge name "all" is reserved by the kernel']] },
    ]);
  });

  describe('checks links', () => {
    table([
      { name: 'a link to a missing node', patch: { 'links[3]': { id: 'ghost', a: { node: 'red' }, b: { node: 'nobody' } } }, problems: [['error', 'ghost', 'links[3].b.node', 'node "nobody" does not exist']] },
      { name: 'a node linked to itself', patch: { 'links[3]': { id: 'self', a: { node: 'red' }, b: { node: 'red' } } }, problems: [['error', 'self', 'links[3].b.node', 'connects red to itself']] },
      { name: 'the internet linked to a namespace', patch: { 'links[3]': { id: 'bad', a: { node: 'internet' }, b: { node: 'red' } } }, problems: [['error', 'bad', 'links[3].b.node', 'the Internet node can only be linked to the Host node, not to namespace red']] },
      { name: 'a second uplink link', patch: { 'links[3]': { id: 'up2', a: { node: 'internet' }, b: { node: 'host' } } }, problems: [['error', 'up2', 'links[3]', 'the host is already linked to the Internet by links[0]']] },
      { name: 'addresses on the uplink link', patch: { 'links[0].a.addresses': ['198.51.100.2/24'] }, problems: [['error', 'uplink', 'links[0].a.addresses', 'a link to the Internet node takes no addresses']] },
      { name: 'an ifname on the uplink link', patch: { 'links[0].a.ifname': 'eth1' }, problems: [['error', 'uplink', 'links[0].a.ifname', 'set the uplink interface in the Host node\'s "uplink" field']] },
      {
        name: 'a link between two hosts',
        patch: { 'nodes[5]': { id: 'host2', kind: 'host' }, 'links[3]': { id: 'hh', a: { node: 'host' }, b: { node: 'host2' } } },
        problems: [
          ['error', 'hh', 'links[3]', 'a link cannot join two Host nodes'],
          ['error', 'host2', 'nodes[5].kind', 'only one Host node is allowed'],
        ],
      },
      { name: 'an address on a bridge port', patch: { 'links[1].b.addresses': ['192.168.15.9/24'] }, problems: [['error', 'red-vnet0', 'links[1].b.addresses', 'put 192.168.15.9/24 on the bridge node vnet0 (its "addresses") instead']] },
      {
        name: 'two links between the same bridges',
        patch: { 'nodes[5]': { id: 'vnet1', kind: 'bridge' }, 'links[3]': { id: 'br1', a: { node: 'vnet0' }, b: { node: 'vnet1' } }, 'links[4]': { id: 'br2', a: { node: 'vnet1' }, b: { node: 'vnet0' } } },
        problems: [['warning', 'br2', 'links[4]', 'bridges vnet1 and vnet0 are already connected, so this link makes a loop']],
      },
      {
        name: 'a triangle of bridges',
        patch: {
          'nodes[5]': { id: 'vnet1', kind: 'bridge' },
          'nodes[6]': { id: 'vnet2', kind: 'bridge' },
          'links[3]': { id: 'br01', a: { node: 'vnet0' }, b: { node: 'vnet1' } },
          'links[4]': { id: 'br12', a: { node: 'vnet1' }, b: { node: 'vnet2' } },
          'links[5]': { id: 'br20', a: { node: 'vnet2' }, b: { node: 'vnet0' } },
        },
        problems: [['warning', 'br20', 'links[5]', 'makes a loop']],
      },
      {
        name: 'nothing for every allowed pairing (namespace-host, host-bridge, bridge-bridge, namespace-namespace)',
        patch: {
          'nodes[5]': { id: 'green', kind: 'namespace' },
          'nodes[6]': { id: 'vnet1', kind: 'bridge' },
          'links[3]': { id: 'host-green', a: { node: 'host', addresses: ['10.1.0.1/30'] }, b: { node: 'green', addresses: ['10.1.0.2/30'] } },
          'links[4]': { id: 'host-vnet1', a: { node: 'host', addresses: ['192.168.15.6/24'] }, b: { node: 'vnet1' } },
          'links[5]': { id: 'vnet0-vnet1', a: { node: 'vnet0' }, b: { node: 'vnet1' } },
          'links[6]': { id: 'red-green', a: { node: 'red', addresses: ['10.3.0.1/30'] }, b: { node: 'green', addresses: ['10.3.0.2/30'] } },
        },
        problems: [],
      },
    ]);
  });

  describe('checks addresses', () => {
    table([
      { name: 'a network address', patch: { 'links[1].a.addresses[0]': '192.168.15.0/24' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address 192.168.15.0/24 is the network address of 192.168.15.0/24']] },
      { name: 'a broadcast address', patch: { 'links[1].a.addresses[0]': '192.168.15.255/24' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address 192.168.15.255/24 is the broadcast address of 192.168.15.0/24']] },
      {
        name: 'an address used twice',
        patch: { 'links[1].a.addresses[0]': '192.168.15.2/24' },
        problems: [['error', 'blue-vnet0', 'links[2].a.addresses[0]', 'address 192.168.15.2/24 is already used by veth-red on red; pick another address in 192.168.15.0/24']],
      },
      {
        name: 'an address used twice with another prefix',
        patch: { 'links[3]': { id: 'red-blue', a: { node: 'red', addresses: ['192.168.15.6/30'] }, b: { node: 'blue', addresses: ['192.168.15.5/30'] } } },
        problems: [['error', 'red-blue', 'links[3].b.addresses[0]', 'address 192.168.15.5/30 is already used by the bridge vnet0']],
      },
      {
        name: 'an address outside the segment subnet',
        patch: { 'nodes[5]': { id: 'green', kind: 'namespace' }, 'links[3]': { id: 'green-vnet0', a: { node: 'green', addresses: ['10.0.0.3/24'] }, b: { node: 'vnet0' } } },
        problems: [['error', 'green-vnet0', 'links[3].a.addresses[0]', 'address 10.0.0.3/24 is not in 192.168.15.0/24, the subnet of segment vnet0']],
      },
      {
        name: 'one subnet on two segments',
        patch: { 'nodes[5]': { id: 'green', kind: 'namespace' }, 'links[3]': { id: 'red-green', a: { node: 'red', addresses: ['192.168.15.10/24'] }, b: { node: 'green', addresses: ['192.168.15.11/24'] } } },
        problems: [['warning', 'red-green', 'links[3].a.addresses[0]', 'subnet 192.168.15.0/24 is also used on segment vnet0']],
      },
      {
        name: 'a mismatch on a long chain of bridges, with a short segment label',
        patch: Object.fromEntries([
          ...[1, 2, 3, 4].map((i) => [`nodes[${4 + i}]`, { id: `b${i}`, kind: 'bridge' }]),
          ...[1, 2, 3, 4].map((i) => [`links[${2 + i}]`, { id: `bb${i}`, a: { node: i === 1 ? 'vnet0' : `b${i - 1}` }, b: { node: `b${i}` } }]),
          ['links[7]', { id: 'host-b4', a: { node: 'host', addresses: ['10.0.0.1/24'] }, b: { node: 'b4' } }],
        ]),
        problems: [['error', 'host-b4', 'links[7].a.addresses[0]', 'the subnet of segment vnet0+b1+b2+… (5 joined bridges); use an address in 192.168.15.0/24']],
      },
      { name: 'nothing for IPv6 next to IPv4 on one segment', patch: { 'links[1].a.addresses[1]': 'fd00:15::1/64', 'nodes[2].addresses[1]': 'fd00:15::5/64' }, problems: [] },
    ]);
  });

  describe('checks routes', () => {
    table([
      { name: 'a gateway on no connected subnet', patch: { 'nodes[3].routes[0].via': '10.0.0.1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'gateway 10.0.0.1 is not on any connected subnet of red (192.168.15.0/24)']] },
      { name: 'a dev the node does not have', patch: { 'nodes[3].routes[1]': { to: '10.0.0.0/8', dev: 'eth9' } }, problems: [['error', 'red', 'nodes[3].routes[1].dev', 'red has no interface "eth9"; use one of veth-red']] },
      { name: 'nothing for a dev route on an own interface', patch: { 'nodes[3].routes[1]': { to: '10.0.0.0/8', dev: 'veth-red' } }, problems: [] },
      { name: 'a duplicate destination', patch: { 'nodes[3].routes[1]': { to: 'default', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'red already has a route to default (routes[0])']] },
      { name: 'a duplicate default written as 0.0.0.0/0', patch: { 'nodes[3].routes[1]': { to: '0.0.0.0/0', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'red already has a route to 0.0.0.0/0 (routes[0])']] },
      { name: 'nothing for the same destination with another metric', patch: { 'nodes[3].routes[1]': { to: 'default', via: '192.168.15.5', metric: 200 } }, problems: [] },
      { name: 'an IPv6 gateway for default', patch: { 'nodes[3].routes[0].via': 'fd00::1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'gateway fd00::1 is IPv6 but the destination default is IPv4; use "default6"']] },
      { name: 'an IPv4 gateway for an IPv6 subnet', patch: { 'nodes[3].routes[1]': { to: 'fd00:1::/64', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].via', 'use an IPv6 gateway']] },
      { name: 'a destination with host bits', patch: { 'nodes[3].routes[1]': { to: '10.0.0.1/8', via: '192.168.15.5' } }, problems: [['error', 'red', 'nodes[3].routes[1].to', 'write the subnet 10.0.0.0/8']] },
      {
        name: 'a default gateway nobody owns on a bridge',
        patch: { 'nodes[2].addresses': [] },
        problems: [
          ['error', 'red', 'nodes[3].routes[0].via', 'gateway 192.168.15.5 is not the address of anything on segment vnet0, so red has no way out; give the bridge vnet0 the address 192.168.15.5/24'],
          ['error', 'blue', 'nodes[4].routes[0].via', 'so blue has no way out; give the bridge vnet0 the address 192.168.15.5/24'],
        ],
      },
      {
        name: 'a default gateway nobody owns on a cable',
        input: patched(PAIR, { 'nodes[0].routes': [{ to: 'default', via: '10.0.0.9' }] }),
        problems: [['error', 'red', 'nodes[0].routes[0].via', 'so red has no way out; give veth-blue on blue the address 10.0.0.9/24']],
      },
      { name: 'its own address as gateway', patch: { 'nodes[3].routes[0].via': '192.168.15.1' }, problems: [['error', 'red', 'nodes[3].routes[0].via', "gateway 192.168.15.1 is red's own address"]] },
      { name: 'a gateway that does not forward', patch: { 'nodes[3].routes[0].via': '192.168.15.2' }, problems: [['warning', 'red', 'nodes[3].routes[0].via', 'gateway 192.168.15.2 belongs to blue, which does not forward packets; mark blue as a router ("router": true)']] },
      { name: 'a gateway with forwarding switched off', patch: { 'nodes[3].routes[0].via': '192.168.15.2', 'nodes[4].router': true, 'nodes[4].forwarding': false }, problems: [['warning', 'red', 'nodes[3].routes[0].via', 'remove "forwarding": false from blue']] },
      { name: 'nothing for a gateway that is a router', patch: { 'nodes[3].routes[0].via': '192.168.15.2', 'nodes[4].router': true }, problems: [] },
      { name: 'a host route via an unknown network', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '172.16.0.1' }] }, problems: [['warning', 'host', 'nodes[1].routes[0].via', 'if it is on the network of the uplink eth0, add "dev": "eth0"']] },
      { name: 'nothing for a host route through the uplink', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '172.16.0.1', dev: 'eth0' }] }, problems: [] },
      { name: 'nothing for a host route through a namespace router', patch: { 'nodes[1].routes': [{ to: '10.0.0.0/8', via: '192.168.15.2' }], 'nodes[4].router': true }, problems: [] },
    ]);
  });

  describe('checks NAT', () => {
    const noHost = { version: 1, name: 'nohost', nodes: [{ id: 'red', kind: 'namespace' }], nat: { masquerade: [{ id: 'masq', source: '192.168.15.0/24' }] } };
    table([
      {
        name: 'masquerade without a host',
        input: noHost,
        problems: [
          ['error', 'masq', 'nat.masquerade[0]', 'NAT needs an uplink: add a Host node and connect it to an Internet node'],
          ['warning', 'masq', 'nat.masquerade[0].source', 'source 192.168.15.0/24 matches no subnet in the lab'],
        ],
      },
      {
        name: 'NAT on a host without an Internet node',
        patch: { 'links[0]': { id: 'uplink', a: { node: 'host', addresses: ['10.9.0.1/30'] }, b: { node: 'red', addresses: ['10.9.0.2/30'] } } },
        problems: [
          ['error', 'masq', 'nat.masquerade[0]', 'NAT needs an uplink: connect the Host node host to an Internet node'],
          ['error', 'web', 'nat.portForwards[0]', 'NAT needs an uplink: connect the Host node host to an Internet node'],
        ],
      },
      { name: 'masquerade out of another interface', patch: { 'nat.masquerade[0].out': 'wlan0' }, problems: [['warning', 'masq', 'nat.masquerade[0].out', 'out "wlan0" is not the host\'s uplink eth0']] },
      { name: 'masquerade of a foreign subnet', patch: { 'nat.masquerade[0].source': '10.9.0.0/16' }, problems: [['warning', 'masq', 'nat.masquerade[0].source', 'source 10.9.0.0/16 matches no subnet in the lab (192.168.15.0/24)']] },
      { name: 'nothing for masquerade of a wider subnet', patch: { 'nat.masquerade[0].source': '192.168.0.0/16' }, problems: [] },
      { name: 'a forward to an address no namespace owns', patch: { 'nat.portForwards[0].to': '192.168.15.9' }, problems: [['error', 'web', 'nat.portForwards[0].to', '192.168.15.9 is not the address of any namespace; forward to a namespace address such as 192.168.15.1']] },
      { name: 'a forward to the bridge', patch: { 'nat.portForwards[0].to': '192.168.15.5' }, problems: [['error', 'web', 'nat.portForwards[0].to', 'is not the address of any namespace']] },
      {
        name: 'two forwards of one port',
        patch: { 'nat.portForwards[1]': { id: 'web2', hostPort: 80, to: '192.168.15.1' } },
        problems: [['error', 'web2', 'nat.portForwards[1].hostPort', 'tcp port 80 is already forwarded by web']],
      },
      { name: 'nothing for one port on tcp and udp', patch: { 'nat.portForwards[1]': { id: 'dns', proto: 'udp', hostPort: 80, to: '192.168.15.1' } }, problems: [] },
      {
        name: 'a forward to a namespace without default route',
        patch: { 'nodes[4].routes': [] },
        problems: [['warning', 'web', 'nat.portForwards[0].to', 'blue has no default route, so replies to outside clients cannot return; add a default route in blue via 192.168.15.5']],
      },
      {
        name: 'a NAT namespace without dns',
        patch: { 'nodes[3].dns': undefined },
        problems: [['warning', 'red', 'nodes[3].dns', 'red reaches the outside through the host but has no "dns"; the host\'s resolver stub 127.0.0.53 is unreachable inside a namespace, so add dns: ["1.1.1.1"]']],
      },
    ]);
  });

  describe('checks probes', () => {
    table([
      { name: 'a probe from a missing node', patch: { 'probes[0].from': 'ghost' }, problems: [['error', 'red-to-blue', 'probes[0].from', 'node "ghost" does not exist']] },
      { name: 'a probe from a bridge', patch: { 'probes[0].from': 'vnet0' }, problems: [['error', 'red-to-blue', 'probes[0].from', 'vnet0 is a bridge node; pick a namespace or the host']] },
      { name: 'a probe to a node without address', patch: { 'nodes[5]': { id: 'green', kind: 'namespace' }, 'probes[0].to': 'green' }, problems: [['error', 'red-to-blue', 'probes[0].to', 'node green has no address to probe']] },
      { name: 'nothing for a probe to an IP, the host and the internet', patch: { 'probes[0].to': '203.0.113.7', 'probes[1]': { id: 'p2', from: 'host', to: 'internet' }, 'probes[2]': { id: 'p3', from: 'blue', to: 'host' } }, problems: [] },
      { name: 'a tcp probe without port', patch: { 'probes[0].kind': 'tcp' }, problems: [['error', 'red-to-blue', 'probes[0].port', 'a tcp probe needs a port']] },
      { name: 'a ping probe with a port', patch: { 'probes[0].port': 80 }, problems: [['error', 'red-to-blue', 'probes[0].port', 'a ping probe takes no port']] },
    ]);
  });

  it('ignores notes and positions', () => {
    check(patched(LAB, { 'notes[0].text': '$(reboot); rm -rf /', 'notes[0].position': { x: -1e9, y: 1e9 }, 'nodes[3].position': { x: 0.5, y: -3 }, 'nodes[3].notes': '`id`' }), []);
  });

  it('lists errors first, then by path with numeric indices', () => {
    const result = validate(
      patched(LAB, {
        'nat.masquerade[0].out': 'wlan0',
        'links[3]': { id: 'l3', a: { node: 'red' }, b: { node: 'x3' } },
        'links[10]': { id: 'l10', a: { node: 'red' }, b: { node: 'x10' } },
        ...Object.fromEntries([4, 5, 6, 7, 8, 9].map((i) => [`links[${i}]`, { id: `l${i}`, a: { node: 'red' }, b: { node: 'red' } }])),
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual([...[3, 4, 5, 6, 7, 8, 9].map((i) => `links[${i}].b.node`), 'links[10].b.node', 'nat.masquerade[0].out']);
    expect(result.problems.at(-1)?.severity).toBe('warning');
  });

  it('caps the list of problems', () => {
    const nodes = Array.from({ length: MAX_PROBLEMS + 10 }, (_, i) => ({ id: `bad id ${i}`, kind: 'namespace' }));
    const result = validate({ version: 1, name: 'many', nodes });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems.at(-1)).toEqual({ severity: 'error', element: null, path: '', message: '10 more problems are not listed; fix the ones above first' });
  });
});

describe('validateText', () => {
  it.each([
    ['a trailing comma', '{\n  "version": 1,\n  "nodes": [1,]\n}', 'unexpected "]" at line 3, column 15; expected a value'],
    ['a missing comma', '{"version": 1\n "name": "x"}', 'unexpected "\\"" at line 2, column 2; expected "," or "}"'],
    ['single quotes', "{'version': 1}", `unexpected "'" at line 1, column 2; expected a field name in double quotes`],
    ['an unclosed object', '{"version": 1', 'the file ends at line 1, column 14; expected "," or "}"'],
    ['an empty file', '', 'the file ends at line 1, column 1; expected a value'],
    ['text after the document', '{} {}', 'unexpected "{" at line 1, column 4; expected nothing after the end of the document'],
    ['a bad escape', '{"a": "\\x"}', 'line 1, column 8; expected a valid escape'],
    ['a raw newline in a string', '{"a": "x\ny"}', 'line 1, column 9; expected the closing " of the string on the same line'],
    ['a bare word', '{"a": True}', 'unexpected "T" at line 1, column 7; expected a value'],
  ])('names line and column for %s', (_name, text, message) => {
    const result = validateText(text);
    expect(result).toEqual({ ok: false, problems: [{ severity: 'error', element: null, path: '', message: expect.stringContaining(message) }] });
  });

  it('accepts a leading byte order mark', () => {
    expect(validateText(`\uFEFF${JSON.stringify(PAIR)}`).ok).toBe(true);
  });

  it('refuses text over 20 MB without parsing it', () => {
    const result = validateText(`"${'x'.repeat(21 * 1024 * 1024)}"`);
    expect(result).toEqual({ ok: false, problems: [{ severity: 'error', element: null, path: '', message: expect.stringContaining('at most 20 MB is accepted') }] });
  });
});
