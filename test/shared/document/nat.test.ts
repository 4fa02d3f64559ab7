import { describe, expect, it } from 'vitest';
import type { Doc } from '../../../src/shared/document/commands.js';
import { proposePortForward } from '../../../src/shared/document/nat.js';
import { loadExample } from '../../support/examples.js';

describe('a new port forward', () => {
  it("forwards the target's port (80, a web server) on the host, to the first namespace's address", () => {
    expect(proposePortForward(loadExample('04-nat') as Doc)).toEqual({ proto: 'tcp', hostPort: 80, to: '192.168.15.1', toPort: 80 });
  });

  it('points at a namespace without a forward yet, on 8080 when 80 is taken', () => {
    const doc = loadExample('05-port-forward') as Doc;
    expect(doc.nat?.portForwards?.map((f) => [f.hostPort, f.to])).toEqual([[80, '192.168.15.2']]);
    expect(proposePortForward(doc)).toEqual({ proto: 'tcp', hostPort: 8080, to: '192.168.15.1', toPort: 80 });
    doc.nat!.portForwards!.push({ id: 'b', hostPort: 8080, to: '192.168.15.1' });
    // Every namespace has one: the first again.
    expect(proposePortForward(doc)).toMatchObject({ hostPort: 8081, to: '192.168.15.1' });
    // A udp forward does not hold the tcp port.
    doc.nat!.portForwards = [{ id: 'u', proto: 'udp', hostPort: 80, to: '192.168.15.2' }];
    expect(proposePortForward(doc).hostPort).toBe(80);
  });

  it('leaves the address empty when no namespace has one, and skips routers', () => {
    const doc: Doc = { version: 1, name: 't', nodes: [{ id: 'r', kind: 'namespace', router: true }, { id: 'a', kind: 'namespace' }], links: [{ id: 'l', a: { node: 'r', addresses: ['10.0.0.1/24'] }, b: { node: 'a' } }] };
    expect(proposePortForward(doc).to).toBe('');
  });
});
