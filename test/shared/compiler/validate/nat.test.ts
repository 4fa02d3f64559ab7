import { describe, expect, it } from 'vitest';
import { validate } from '../../../../src/shared/compiler/validate/index.js';
import { perform, type Doc } from '../../../../src/shared/document/commands.js';
import { loadExample } from '../../../support/examples.js';
import { table } from './cases.js';

describe('nat', () => {
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

  it('offers the missing name server as a fix: an editor command that makes the warning go', () => {
    const doc = loadExample('04-nat') as Doc;
    const without = { ...doc, nodes: doc.nodes!.map((n) => (n.id === 'blue' ? { ...n, dns: undefined } : n)) } as Doc;
    const v = validate(without);
    if (!v.ok) throw new Error('04-nat without dns does not validate');
    const warning = v.warnings.find((p) => p.path.endsWith('.dns'));
    expect(warning?.fix).toEqual({ label: 'add 1.1.1.1', command: { type: 'updateNode', id: 'blue', patch: { dns: ['1.1.1.1'] } } });
    const fixed = validate(perform(without, warning!.fix!.command).doc);
    expect(fixed.ok && fixed.warnings.filter((p) => p.path.endsWith('.dns'))).toEqual([]);
  });
});
