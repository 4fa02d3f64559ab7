import { describe } from 'vitest';
import { table } from './cases.js';

const web = { id: 'web', command: 'python3 -m http.server 80' };

describe('services', () => {
  describe('checks services', () => {
    table([
      { name: 'nothing for a service on a namespace', patch: { 'nodes[4].services': [web] }, problems: [] },
      { name: 'nothing for one id on two nodes', patch: { 'nodes[3].services': [web], 'nodes[4].services': [web] }, problems: [] },
      {
        name: 'an id used twice on one node',
        patch: { 'nodes[4].services': [web, { id: 'web', command: 'sleep infinity' }] },
        problems: [['error', 'blue', 'nodes[4].services[1].id', 'service id "web" is already used by services[0] of blue; give each service of a node its own id']],
      },
      { name: 'an id that is no name', patch: { 'nodes[4].services': [{ id: '../x', command: 'true' }] }, problems: [['error', 'blue', 'nodes[4].services[0].id', 'is not a valid name']] },
      { name: 'an empty command', patch: { 'nodes[4].services': [{ id: 'web', command: '' }] }, problems: [['error', 'blue', 'nodes[4].services[0].command', 'is empty; write the command line to run']] },
      { name: 'a command of blanks', patch: { 'nodes[4].services': [{ id: 'web', command: '   ' }] }, problems: [['error', 'blue', 'nodes[4].services[0].command', 'is only blanks']] },
      { name: 'a command of two lines', patch: { 'nodes[4].services': [{ id: 'web', command: 'true\nfalse' }] }, problems: [['error', 'blue', 'nodes[4].services[0].command', 'is not one line of plain text']] },
      { name: 'a command with an escape sequence', patch: { 'nodes[4].services': [{ id: 'web', command: 'echo \u001b[2J' }] }, problems: [['error', 'blue', 'nodes[4].services[0].command', 'control character']] },
      { name: 'a command without id', patch: { 'nodes[4].services': [{ command: 'true' }] }, problems: [['error', 'blue', 'nodes[4].services[0].id', '']] },
      // The host runs in the lab host's own network: a service there would outlive nothing the lab owns.
      { name: 'a service on the host', patch: { 'nodes[1].services': [web] }, problems: [['error', 'host', 'nodes[1].services', 'unknown field "services"']] },
      { name: 'a service on a bridge', patch: { 'nodes[2].services': [web] }, problems: [['error', 'vnet0', 'nodes[2].services', 'unknown field "services"']] },
    ]);
  });
});
