import { describe } from 'vitest';
import { table } from './cases.js';

describe('ids', () => {
  describe('reports duplicate ids', () => {
    table([
      { name: 'a probe reusing a node id', patch: { 'probes[0].id': 'red' }, problems: [['error', 'red', 'probes[0].id', 'id "red" is already used by the node at nodes[3]']] },
      { name: 'a note reusing a link id', patch: { 'notes[0].id': 'uplink' }, problems: [['error', 'uplink', 'notes[0].id', 'id "uplink" is already used by the link at links[0]']] },
      { name: 'a masquerade rule reusing a port forward id', patch: { 'nat.masquerade[0].id': 'web' }, problems: [['error', 'web', 'nat.portForwards[0].id', 'id "web" is already used by the masquerade rule at nat.masquerade[0]']] },
      { name: 'a second host node', patch: { 'nodes[5]': { id: 'host2', kind: 'host' } }, problems: [['error', 'host2', 'nodes[5].kind', 'only one Host node is allowed and host already is one']] },
    ]);
  });
});
