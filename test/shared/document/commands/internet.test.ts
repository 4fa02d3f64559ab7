import { describe, expect, it } from 'vitest';
import { SUGGESTED_DNS } from '../../../../src/shared/model/topology.js';
import { emptyDocument, type Doc } from '../../../../src/shared/document/commands.js';
import { add, connect, errors, example, node as anyNode, problems, run, tutorialBridgeLab } from './support.js';

/** A node's name servers (undefined for kinds without). */
const node = (doc: Doc, id: string) => ({ dns: (anyNode(doc, id) as { dns?: string[] }).dns });

describe('commands > connect to the Internet', () => {
  it("proposes the tutorial's step 7: masquerade for the host's subnet out of the uplink, and DNS where the host is the gateway", () => {
    const { doc } = run(tutorialBridgeLab(), add('host'), add('internet'), connect('host', 'internet'));
    expect(doc.nat?.masquerade).toEqual([{ id: 'masq-vnet0', source: '192.168.15.0/24', out: 'eth0' }]);
    expect(node(doc, 'red').dns).toEqual([SUGGESTED_DNS]);
    expect(node(doc, 'blue').dns).toEqual([SUGGESTED_DNS]);
    expect(errors(doc)).toEqual([]);
    // The masquerade rule and the name servers of the tutorial's example (where both namespaces route out).
    const tutorial = example('05-port-forward');
    expect(doc.nat?.masquerade).toEqual(tutorial.nat?.masquerade);
    const dns = (d: typeof doc) => Object.fromEntries(d.nodes!.map((n) => [n.id, n.kind === 'namespace' ? n.dns : undefined]));
    expect(dns(doc)).toEqual(dns(tutorial));
  });

  it('keeps the rules and name servers already there, and adds nothing without a routed namespace', () => {
    const drawn = run(tutorialBridgeLab(), add('host'), add('internet'), { type: 'updateNode', id: 'red', patch: { dns: ['9.9.9.9'] } }, { type: 'updateDoc', patch: { nat: { masquerade: [{ id: 'm', source: '192.168.15.0/24' }] } } });
    const { doc } = run(drawn.doc, connect('internet', 'host'));
    expect(doc.nat?.masquerade).toEqual([{ id: 'm', source: '192.168.15.0/24' }]);
    expect(node(doc, 'red').dns).toEqual(['9.9.9.9']);
    expect(node(doc, 'blue').dns).toEqual([SUGGESTED_DNS]);
    // A host with no address on any segment: just the link.
    const bare = run(emptyDocument('bare'), add('namespace'), add('host'), add('internet'), connect('host', 'internet')).doc;
    expect(bare.nat).toBeUndefined();
    expect(node(bare, 'red').dns).toBeUndefined();
    expect(problems(bare).filter((p) => p.includes('error'))).toEqual([]);
  });
});
