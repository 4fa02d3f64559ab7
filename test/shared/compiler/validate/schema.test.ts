import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TopologyDocument } from '../../../../src/shared/model/topology.js';
import { COMPILED_PARSE_MIN, parseDocument, schemaProblems } from '../../../../src/shared/compiler/validate/schema.js';
import { bridgedLab } from '../../../support/scale-lab.js';
import { patched, table } from './cases.js';

describe('schema problems', () => {
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
      { name: 'an octet out of range', patch: { 'links[1].a.addresses[0]': '192.168.15.256/24' }, problems: [['error', 'red-vnet0', 'links[1].a.addresses[0]', 'address "192.168.15.256/24" has octet 256, which is out of range: each octet is 0 to 255']] },
      { name: 'a gateway with an octet out of range', patch: { 'nodes[3].routes[0].via': '192.168.15.300' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'via "192.168.15.300" has octet 300, which is out of range']] },
      { name: 'a gateway that is no IP', patch: { 'nodes[3].routes[0].via': '192.168.15' }, problems: [['error', 'red', 'nodes[3].routes[0].via', 'via "192.168.15" has 3 parts; an IPv4 address has 4 octets']] },
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

  describe('refuses control characters in free text', () => {
    table([
      { name: 'a NUL in the title', patch: { title: 'lab\u0000' }, problems: [['error', null, 'title', 'title "lab\\u0000" is not plain text: it has a control character']] },
      { name: 'an escape sequence in the description', patch: { description: 'x\u001b[2J' }, problems: [['error', null, 'description', 'description "x\\u001b[2J" is not plain text: it has a control character']] },
      { name: 'a NUL in a note', patch: { 'notes[0].text': 'a\u0000' }, problems: [['error', 'note1', 'notes[0].text', 'text "a\\u0000" is not plain text']] },
      { name: 'a bell in node notes', patch: { 'nodes[3].notes': '\u0007' }, problems: [['error', 'red', 'nodes[3].notes', 'notes "\\u0007" is not plain text']] },
      { name: 'a C1 control in link notes', patch: { 'links[1].notes': '\u009b' }, problems: [['error', 'red-vnet0', 'links[1].notes', 'is not plain text']] },
      { name: 'a control character in $schema', patch: { $schema: 'x\u0001' }, problems: [['error', null, '$schema', 'is not one line of plain text']] },
      { name: 'nothing for tabs and line breaks in notes, the title and the description', patch: { title: 'a\nb', description: 'a\tb\r\nc', 'notes[0].text': 'one\ntwo' }, problems: [] },
      { name: 'a newline in an invalid id, kept out of the one-line diagnostic', patch: { 'links[1].id': 'a\nb' }, problems: [['error', null, 'links[1].id', 'id "a\\nb" is not a valid name']] },
    ]);
  });
});
describe('parseDocument', () => {
  // A lab just large enough for the compiled path, with some of every field the elements have.
  const size = Math.ceil(COMPILED_PARSE_MIN / 2);
  const large = patched(bridgedLab(size), {
    title: 'large',
    'nodes[1].router': true,
    'nodes[1].dns': ['1.1.1.1'],
    'nodes[1].services': [{ id: 'web', command: 'python3 -m http.server 80' }],
    'nodes[2].position': { x: 1, y: 2 },
    'links[3].netem': { delayMs: 5 },
    'links[4].mtu': 1400,
    nat: { masquerade: [{ id: 'm', source: '10.0.0.0/16' }] },
  });
  const runtime = (input: unknown) => TopologyDocument.safeParse(input, { reportInput: true });

  it("parses a large lab's nodes and links with zod's compiled parsers, and the rest with the schema, into what the schema makes", () => {
    const schema = vi.spyOn(TopologyDocument, 'safeParse');
    const parsed = parseDocument(large);
    // The schema itself saw the lists empty: the elements went through the compiled parsers.
    expect(schema.mock.calls.map(([input]) => (input as { nodes: unknown[] }).nodes.length)).toEqual([0]);
    schema.mockRestore();
    expect(parsed.success).toBe(true);
    // The same output, down to the order of the fields.
    expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(runtime(large).data));
  });

  it.each([
    ['a bad address deep in the lists', { [`links[${size - 2}].a.addresses[0]`]: '10.0.0.300/16' }],
    ['a bad node kind', { [`nodes[${size - 1}].kind`]: 'router' }],
    ['an unknown top-level field', { colour: 'red' }],
    ['a bad lab name', { name: 'a b' }],
  ])('gives the issues of the schema itself for a large lab with %s', (_name, patch) => {
    const input = patched(large, patch);
    const parsed = parseDocument(input);
    const expected = runtime(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual(expected.error?.issues);
    expect(schemaProblems(parsed.error!.issues, input)).toEqual(schemaProblems(expected.error!.issues, input));
  });

  it('evaluates no code when zod is jitless (the renderer, whose CSP forbids eval), with the same result', async () => {
    vi.resetModules();
    z.config({ jitless: true });
    const evaluate = vi.spyOn(globalThis, 'Function');
    try {
      const fresh = await import('../../../../src/shared/compiler/validate/schema.js');
      const parsed = fresh.parseDocument(large);
      expect(evaluate).not.toHaveBeenCalled();
      expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(runtime(large).data));
    } finally {
      evaluate.mockRestore();
      z.config({ jitless: false });
    }
  });
});
