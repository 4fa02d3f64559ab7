import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BASH_LIBRARY, TABLE_END } from '../../../src/shared/compiler/bash-library.js';

/** One function of the library, as lab.sh carries it. */
const fn = (name: string) => new RegExp(`^${name}\\(\\) \\{[\\s\\S]*?^\\}$`, 'm').exec(BASH_LIBRARY)![0];

/** `nsd_apply plan` of a record (lines with their elements) against what the drawing wants: pure bash, no host needed. */
function plan(record: Array<[string, string]>, want: Array<[string, string]>): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -euo pipefail',
    fn('nsd_words'),
    fn('nsd_record_open'),
    fn('nsd_recorded'),
    fn('nsd_want_read'),
    fn('nsd_apply'),
    fn('nsd_veth_key'),
    fn('nsd_veth_replug'),
    'NSD_LAB=lab NSD_STATE=$1',
    `printf '%s\\n' ${record.map(([line, el]) => q(`${line}\t${el}`)).join(' ')} >"$1/record"`,
    // What the drawing wants: the records of up's table, as nsd_want_read reads them back.
    'nsd_up() {',
    `  nsd_run_table <<'${TABLE_END}'`,
    ...want.flatMap(([line, el]) => [`step ${el} a step of ${el}`, `record ${line}`]),
    TABLE_END,
    '}',
    'NSD_WANT_READ=0',
    'nsd_record_open',
    'nsd_apply plan',
  ].join('\n');
  const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
  const r = spawnSync('bash', ['-c', script, '_', dir], { encoding: 'utf8' });
  spawnSync('rm', ['-rf', dir]);
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('bash-library', () => {
  describe('nsd_apply plan', () => {
    const base: Array<[string, string]> = [
      ['netns red', 'red'],
      ['veth rb-red red - rb-blue blue - -', 'red-blue'],
      ['addr red rb-red 10.0.1.1/24', 'red-blue'],
    ];

    it('shows other figures of an interface\'s netem as one ~ qdisc line, and counts it apart', () => {
      const out = plan([...base, ['qdisc red rb-red delay 50ms', 'red-blue']], [...base, ['qdisc red rb-red delay 20ms loss 1%', 'red-blue']]);
      expect(out).toBe('~ qdisc red rb-red: delay 50ms -> delay 20ms loss 1%  [red-blue]\nplan for lab lab: 0 to add, 0 to remove, 0 chain(s) to refill, 1 qdisc(s) to change; the rest stays as it is\n');
    });

    it('shows a veth pair plugged into other bridges as one ~ veth line, and makes it anew (- and +) when its ends or MTU change', () => {
      const line = (master: string, mtu = '-'): [string, string] => [`veth g g - g-br - ${master} ${mtu}`, 'g-link'];
      expect(plan([line('vnet0')], [line('vnet1')])).toBe(
        '~ veth g <-> g-br: re-plugged (g-br: vnet0 -> vnet1)  [g-link]\nplan for lab lab: 0 to add, 0 to remove, 0 chain(s) to refill, 1 veth pair(s) to re-plug; the rest stays as it is\n',
      );
      expect(plan([line('vnet0')], [line('-')])).toContain('~ veth g <-> g-br: re-plugged (g-br: vnet0 -> no bridge)  [g-link]\n');
      expect(plan([line('vnet0')], [line('vnet0', '1400')])).toBe(
        '- veth g g - g-br - vnet0 -  [g-link]\n+ veth g g - g-br - vnet0 1400  [g-link]\nplan for lab lab: 1 to add, 1 to remove, 0 chain(s) to refill; the rest stays as it is\n',
      );
    });

    it('adds and removes a qdisc like any other part when its interface had none, or has none any more', () => {
      expect(plan(base, [...base, ['qdisc red rb-red delay 20ms', 'red-blue']])).toBe('+ qdisc red rb-red delay 20ms  [red-blue]\nplan for lab lab: 1 to add, 0 to remove, 0 chain(s) to refill; the rest stays as it is\n');
      expect(plan([...base, ['qdisc red rb-red delay 20ms', 'red-blue']], base)).toBe('- qdisc red rb-red delay 20ms  [red-blue]\nplan for lab lab: 0 to add, 1 to remove, 0 chain(s) to refill; the rest stays as it is\n');
      expect(plan([...base, ['qdisc red rb-red delay 20ms', 'red-blue']], [...base, ['qdisc red rb-red delay 20ms', 'red-blue']])).toBe('plan for lab lab: 0 to add, 0 to remove, 0 chain(s) to refill; the rest stays as it is\n');
    });
  });

  describe('nsd_rm', () => {
    /** Runs `nsd_rm ARGS` (paths relative to a fresh directory made by SETUP) and lists what is left. */
    function rm(setup: string, args: string): { code: number | null; stderr: string; left: string } {
      const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
      const script = ['set -euo pipefail', fn('nsd_rm'), 'cd "$1"', setup, `nsd_rm ${args}`].join('\n');
      const r = spawnSync('bash', ['-c', script, '_', dir], { encoding: 'utf8' });
      const left = spawnSync('find', ['.', '-mindepth', '1'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort().join(' ');
      spawnSync('rm', ['-rf', dir]);
      return { code: r.status, stderr: r.stderr, left };
    }

    it('removes the files, then each directory that is empty then, quietly leaving one that is not', () => {
      const r = rm('mkdir a b c && touch a/resolv.conf b/resolv.conf b/other', 'a/resolv.conf b/resolv.conf gone -- a b c');
      expect(r).toEqual({ code: 0, stderr: '', left: './b ./b/other' });
    });

    it('takes files alone, or directories alone', () => {
      expect(rm('touch x y', 'x y').left).toBe('');
      expect(rm('mkdir d', '-- d').left).toBe('');
    });

    it('fails, with rm saying why, when a file stays', () => {
      const r = rm('mkdir -p full/x', 'full -- ');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("rm: cannot remove 'full': Is a directory");
      expect(r.left).toBe('./full ./full/x');
    });
  });
});
