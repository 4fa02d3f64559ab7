import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatOccupancy, OCCUPANCY_SCRIPT, parseOccupancy } from '../../../src/main/lab/lab-occupancy.js';

const lo = (alias?: string): string => JSON.stringify([{ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], ...(alias !== undefined ? { ifalias: alias } : {}) }]);

describe('lab-occupancy', () => {
  it('groups namespaces by the lab tag on their lo, dated by the oldest, oldest lab first', () => {
    const output = [
      `blue\t1796040200\t${lo('nsd:nat')}`,
      `red\t1796040100\t${lo('nsd:nat')}`,
      `br-a\t1796040000\t${lo('nsd:bridge-lab')}`,
      `mine\t1796040300\t${lo()}`,
      `odd\t\t${lo('something else')}`,
      `gone\t\t`,
      '',
    ].join('\n');
    expect(parseOccupancy(output)).toEqual({
      occupants: [
        { lab: 'bridge-lab', namespaces: ['br-a'], since: new Date(1796040000 * 1000).toISOString() },
        { lab: 'nat', namespaces: ['blue', 'red'], since: new Date(1796040100 * 1000).toISOString() },
      ],
      untagged: ['gone', 'mine', 'odd'],
    });
  });

  it('names the drawing each lab came from, as lab.sh\'s about file in its state directory says', () => {
    const output = [
      `red\t1796040100\t${lo('nsd:nat')}`,
      `a\t1796040000\t${lo('nsd:bridge')}`,
      '/about\tnat\tlab=nat',
      '/about\tnat\ttitle=NAT\tto the "internet"',
      '/about\tnat\tsource=04-nat.json',
      '/about\tnat\tstate=up',
      '/about\tbridge\ttitle=',
      '/about\tgone\tsource=old.json',
    ].join('\n');
    expect(parseOccupancy(output).occupants).toEqual([
      { lab: 'bridge', namespaces: ['a'], since: new Date(1796040000 * 1000).toISOString() },
      { lab: 'nat', namespaces: ['red'], since: new Date(1796040100 * 1000).toISOString(), drawing: '04-nat.json', title: 'NAT\tto the "internet"' },
    ]);
    expect(parseOccupancy(output).untagged).toEqual([]);
  });

  it('reads an empty lab host as empty', () => {
    expect(parseOccupancy('')).toEqual({ occupants: [], untagged: [] });
  });

  it('is a script bash can parse', () => {
    expect(spawnSync('bash', ['-n', '-c', OCCUPANCY_SCRIPT]).status).toBe(0);
  });

  it('prints what a lab host holds for nsd lab status', () => {
    expect(formatOccupancy({ occupants: [], untagged: [] })).toBe('  holds       nothing deployed\n');
    expect(formatOccupancy({ occupants: [{ lab: 'nat', namespaces: ['blue', 'red'], since: '2026-11-30T12:00:00.000Z', drawing: '04-nat.json', title: 'NAT' }, { lab: 'bridge', namespaces: ['a'] }], untagged: ['x'] })).toBe(
      ['  holds       lab nat from 04-nat.json ("NAT"): blue, red (since 2026-11-30T12:00:00.000Z)', '              lab bridge: a', '  not by nsd  x', ''].join('\n'),
    );
  });
});
