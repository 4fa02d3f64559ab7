import { describe, expect, it } from 'vitest';
import type { LabState } from '../../src/shared/ipc/contract.js';
import { labTargetLabel, occupancyDetails, occupancySummary, sortLabs, withLabState } from '../../src/renderer/state/lab-hosts.js';

const time = (iso: string): string => iso.slice(11, 19);
const healthy = (name: string, occupants: { lab: string; namespaces: string[]; since?: string; drawing?: string; title?: string }[], untagged: string[] = []): LabState => ({
  name,
  state: 'healthy',
  problems: [],
  createdAt: '2026-11-30T12:00:00.000Z',
  occupancy: { occupants, untagged },
});

describe('lab-hosts', () => {
  it('lists the default lab host first, then by name, one state per name', () => {
    const labs = sortLabs([{ name: 'zed', state: 'down', problems: [] }, { name: 'default', state: 'absent', problems: [] }, { name: 'ada', state: 'healthy', problems: [] }]);
    expect(labs.map((l) => l.name)).toEqual(['default', 'ada', 'zed']);
    const updated = withLabState(labs, { name: 'ada', state: 'down', problems: [] });
    expect(updated.map((l) => `${l.name}:${l.state}`)).toEqual(['default:absent', 'ada:down', 'zed:down']);
    expect(withLabState(labs, { name: 'bob', state: 'healthy', problems: [] }).map((l) => l.name)).toEqual(['default', 'ada', 'bob', 'zed']);
  });

  it('says in the selector label which labs occupy a lab host and since when', () => {
    const busy = healthy('default', [{ lab: 'nat', namespaces: ['red', 'blue'], since: '2026-11-30T12:03:04.000Z' }, { lab: 'bridge', namespaces: ['a'] }], ['x']);
    expect(labTargetLabel('default', busy, time)).toBe('local sandbox lab host (healthy, in use: nat since 12:03:04, bridge, 1 namespace(s) not made by nsd)');
    expect(labTargetLabel('ada-lab', healthy('ada-lab', []), time)).toBe('sandbox lab host "ada-lab" (healthy, empty)');
    expect(labTargetLabel('ada-lab', { name: 'ada-lab', state: 'absent', problems: [] }, time)).toBe('sandbox lab host "ada-lab" (absent)');
    expect(labTargetLabel('default', undefined, time)).toBe('local sandbox lab host');
    // Not up, or not readable: no claim about what is inside.
    expect(occupancySummary({ name: 'default', state: 'partial', problems: [] }, time)).toBeUndefined();
  });

  it('details each occupying lab with the drawing it came from and its namespaces', () => {
    const busy = healthy('default', [{ lab: 'nat', namespaces: ['blue', 'red'], since: '2026-11-30T12:03:04.000Z', drawing: '04-nat.json', title: 'NAT lab' }, { lab: 'bridge', namespaces: ['a'], title: 'Bridged' }, { lab: 'old', namespaces: ['o'] }], ['x']);
    expect(occupancyDetails(busy, time)).toEqual([
      'Lab host "default", up since 12:00:00: holds',
      'lab nat from 04-nat.json ("NAT lab"): namespaces blue, red; since 12:03:04',
      'lab bridge from "Bridged": namespaces a',
      'lab old: namespaces o',
      'not made by nsd: x',
    ]);
    expect(occupancyDetails(healthy('a', []), time)).toEqual(['Lab host "a", up since 12:00:00: nothing deployed']);
  });
});
