import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASH_LIBRARY } from '../../../src/shared/compiler/bash-library.js';
import { compile, compilePreview, plan, planProbes } from '../../../src/shared/compiler/index.js';
import { neighbourCost } from '../../../src/shared/compiler/probes.js';
import { resolve } from '../../../src/shared/model/resolve.js';
import { TopologyDocument } from '../../../src/shared/model/topology.js';
import { loadExample } from '../../support/examples.js';

/** The port-forward example with IPv6 beside IPv4, and a second forward to blue's IPv6 address. */
function dualStackForwards(): unknown {
  const doc = structuredClone(loadExample('05-port-forward')) as {
    nodes: { id: string; addresses?: string[]; routes?: { to: string; via: string }[] }[];
    links: { id: string; a: { addresses?: string[] } }[];
    nat: { masquerade: unknown[]; portForwards: unknown[] };
  };
  const node = (id: string) => doc.nodes.find((n) => n.id === id)!;
  node('vnet0').addresses!.push('fd00:15::5/64');
  for (const [id, host] of [['red', 1], ['blue', 2]] as const) {
    node(id).routes!.push({ to: 'default6', via: 'fd00:15::5' });
    doc.links.find((l) => l.id === `${id}-vnet0`)!.a.addresses!.push(`fd00:15::${host}/64`);
  }
  doc.nat.masquerade.push({ id: 'masq6', source: 'fd00:15::/64' });
  doc.nat.portForwards.push({ id: 'web6', proto: 'tcp', hostPort: 8080, to: 'fd00:15::2', toPort: 80 });
  return doc;
}

describe('probes', () => {
  it('says where each probe leaves neighbour entries and how many at most: both ways, every hop once, one more where it stops', () => {
    const compiled = compile(loadExample('06-router'));
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const footprint = Object.fromEntries(compiled.probes.map((p) => [p.id, [p.touches, p.neighbours]]));
    // red and blue route through the router: two hops, each learned at both ends.
    expect(footprint['red->blue']).toEqual([['red', 'router', 'blue'], 4]);
    // green has no route back to red: the request still went red -> router -> green.
    expect(footprint['red->green']).toEqual([['red', 'router', 'green'], 5]);
    // Same segment: one hop.
    expect(footprint['blue->green']).toEqual([['blue', 'green'], 2]);
  });

  it('counts the host as "-" and a hop used by an asymmetric answer too', () => {
    expect(neighbourCost({ reachable: true, path: ['a', 'r1', 'b'], back: ['b', 'r2', 'a'] })).toBe(8);
    expect(neighbourCost({ reachable: true, path: ['a', 'b'], back: ['b', 'a'] })).toBe(2);
    const compiled = compile(loadExample('03-host-bridge'));
    expect(compiled.ok && compiled.probes.filter((p) => p.origin === 'host').map((p) => p.touches)).toEqual([
      ['-', 'red'],
      ['-', 'blue'],
    ]);
  });

  it('aims a port forward probe at the uplink address of the forward\'s family', () => {
    const r = resolve(TopologyDocument.parse(dualStackForwards()));
    const forwards = planProbes(plan(r.doc, r), r).filter((p) => p.origin === 'port-forward');
    expect(forwards.map((p) => [p.id, p.address, p.port, p.listen])).toEqual([
      ['host->web', '@uplink', 80, { netns: 'blue', address: '192.168.15.2', port: 80 }],
      ['host->web6', '@uplink6', 8080, { netns: 'blue', address: 'fd00:15::2', port: 80 }],
    ]);
  });

  it('is its own compile stage: compile() carries the probes and lab.sh runs them, the preview skips them', () => {
    const compiled = compile(dualStackForwards());
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.probes.map((p) => p.id)).toContain('host->web6');
    expect(compiled.script).toContain(`NSD_UPLINK_ADDRESS6=$(ip -6 -o addr show dev "$NSD_UPLINK" scope global | awk '{ split($4, a, "/"); print a[1]; exit }')`);
    expect(compiled.script).toMatch(/nsd_queue \d+ '[^']*' \d+ 'host->web6' - host web6 tcp @uplink6 8080 reachable /);
    const preview = compilePreview(dualStackForwards());
    expect(preview.ok && Object.keys(preview)).not.toContain('probes');
  });

  it('looks up the uplink address of the probe\'s family when lab.sh verifies, and says which one is missing', () => {
    const probe = /^nsd_probe\(\) \{[\s\S]*?^\}$/m.exec(BASH_LIBRARY)![0];
    const dir = mkdtempSync(join(tmpdir(), 'nsd-probe-'));
    try {
      const run = (address: string) =>
        spawnSync('bash', ['-c', `${probe}\nNSD_UPLINK=eth0 NSD_UPLINK_ADDRESS=203.0.113.2 NSD_UPLINK_ADDRESS6=''\nnsd_probe "$1" 1 p - host web tcp "$2" 8080 reachable why`, '_', dir, address]);
      expect(run('@uplink6').status).toBe(0);
      expect(readFileSync(join(dir, '1'), 'utf8').split('\t').slice(4, 10)).toEqual([':8080', 'reachable', 'unknown', 'skip', '-', 'the uplink eth0 has no IPv6 address\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
