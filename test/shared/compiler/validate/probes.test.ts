import { describe } from 'vitest';
import { table } from './cases.js';

describe('probes', () => {
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
});
