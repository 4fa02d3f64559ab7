import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/shared/compiler/validate/index.js';
import type { Doc } from '../../../src/shared/document/commands.js';
import { proposePortForward } from '../../../src/shared/document/port-forward.js';
import { loadExample } from '../../support/examples.js';

describe('port-forward', () => {
  it('proposes the target\'s port on the host (80 for a web server), to a namespace address', () => {
    const doc = loadExample('04-nat') as Doc;
    const proposed = proposePortForward(doc, 'fwd1');
    expect(proposed).toEqual({ id: 'fwd1', proto: 'tcp', hostPort: 80, to: '192.168.15.1', toPort: 80 });
    const v = validate({ ...doc, nat: { ...doc.nat, portForwards: [proposed] } });
    expect(v.ok).toBe(true);
  });

  it('aims a second forward at another namespace, on the next free host port from 8080', () => {
    const doc = loadExample('05-port-forward') as Doc;
    expect(proposePortForward(doc, 'fwd2')).toEqual({ id: 'fwd2', proto: 'tcp', hostPort: 8080, to: '192.168.15.1', toPort: 80 });
    const both: Doc = { ...doc, nat: { ...doc.nat, portForwards: [...doc.nat!.portForwards!, { id: 'x', proto: 'tcp', hostPort: 8080, to: '192.168.15.1', toPort: 80 }] } };
    expect(proposePortForward(both, 'fwd3')).toMatchObject({ hostPort: 8081, to: '192.168.15.1' });
    // A udp forward does not hold the tcp port.
    const udp: Doc = { ...doc, nat: { ...doc.nat, portForwards: [{ id: 'u', proto: 'udp', hostPort: 80, to: '192.168.15.2' }] } };
    expect(proposePortForward(udp, 'fwd4').hostPort).toBe(80);
  });

  it('leaves the address empty when no namespace has one, and skips routers', () => {
    const doc: Doc = { version: 1, name: 't', nodes: [{ id: 'r', kind: 'namespace', router: true }, { id: 'a', kind: 'namespace' }], links: [{ id: 'l', a: { node: 'r', addresses: ['10.0.0.1/24'] }, b: { node: 'a' } }] };
    expect(proposePortForward(doc, 'fwd1').to).toBe('');
  });
});
