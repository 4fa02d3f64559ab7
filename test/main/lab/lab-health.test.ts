import { describe, expect, it } from 'vitest';
import { assessLab, formatHealth, isLiveState, parseNsPids, parsePidFile, parseProcStat, type LabProbe } from '../../../src/main/lab/lab-health.js';

const up = { pid: 10, alive: true };
const dead = { pid: 11, alive: false };
const HEALTHY: LabProbe = { exists: true, infoValid: true, holder: up, labHost: up, sshd: up, forwarder: up, banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10' };

describe('lab-health', () => {
  it('reads /proc/PID/stat, also when the command name holds spaces and parentheses', () => {
    expect(parseProcStat('4242 (node) S 1 4242 4242 0 -1 4194560 ...')).toEqual({ state: 'S', ppid: 1, pgrp: 4242, session: 4242 });
    expect(parseProcStat('77 (my (odd) name) Z 5 6 7 0')).toEqual({ state: 'Z', ppid: 5, pgrp: 6, session: 7 });
    expect(parseProcStat('')).toBeUndefined();
  });

  it.each([
    ['S', true],
    ['R', true],
    ['D', true],
    ['Z', false],
    ['X', false],
    [undefined, false],
  ])('calls state %s alive: %s', (state, expected) => {
    expect(isLiveState(state)).toBe(expected);
  });

  it('reads the pids of nested pid namespaces, outermost first', () => {
    expect(parseNsPids('Name:\tsshd\nNSpid:\t5357\t27\nNSpgid:\t5328\t1\n')).toEqual([5357, 27]);
    expect(parseNsPids('Name:\tbash\nNSpid:\t12\n')).toEqual([12]);
    expect(parseNsPids('Name:\tbash\n')).toEqual([]);
  });

  it.each([
    ['123\n', 123],
    ['  9 ', 9],
    ['', undefined],
    ['0', undefined],
    ['12a', undefined],
    ['-1', undefined],
    [undefined, undefined],
  ])('reads pid file %j as %s', (text, expected) => {
    expect(parsePidFile(text)).toBe(expected);
  });

  it('calls a lab healthy when every process runs and the socket speaks SSH', () => {
    expect(assessLab(HEALTHY)).toEqual({ state: 'healthy', problems: [] });
  });

  it('calls a lab absent when it has no state directory', () => {
    expect(assessLab({ ...HEALTHY, exists: false }).state).toBe('absent');
  });

  it('calls a lab down when none of its processes is left (a crash), and lists each', () => {
    const health = assessLab({ exists: true, infoValid: true, holder: dead, labHost: dead, sshd: { alive: false }, forwarder: dead });
    expect(health.state).toBe('down');
    expect(health.problems).toEqual([
      'the holder (unshare, pid 1 of the lab) is not running',
      'the lab host holder is not running',
      'sshd is not running',
      'the socket forwarder is not running',
      'the ssh socket does not answer',
    ]);
  });

  it.each([
    ['sshd is gone', { sshd: dead, banner: undefined }, ['sshd is not running', 'the ssh socket does not answer']],
    ['the forwarder is gone', { forwarder: dead }, ['the socket forwarder is not running']],
    ['lab.json is broken', { infoValid: false }, ['lab.json is missing or invalid']],
    ['the socket says something else', { banner: 'HTTP/1.1 400' }, ['the ssh socket answers "HTTP/1.1 400", not an SSH banner']],
  ])('calls a lab partly up when %s', (_what, change, problems) => {
    expect(assessLab({ ...HEALTHY, ...change })).toEqual({ state: 'partial', problems });
  });

  it('prints each process and the banner', () => {
    const text = formatHealth('demo', '/run/nsd-lab/demo', HEALTHY, assessLab(HEALTHY));
    expect(text).toMatch(/^Lab "demo" is up\.\n/);
    expect(text).toContain('sshd        running (pid 10)');
    expect(text).toContain('socket      SSH-2.0-OpenSSH_9.2p1');
    const partial = { ...HEALTHY, sshd: dead };
    expect(formatHealth('demo', '/d', partial, assessLab(partial))).toMatch(/^Lab "demo" is partly up: sshd is not running\.\n[\s\S]*sshd {8}not running/);
    expect(formatHealth('demo', '/d', { ...HEALTHY, exists: false }, assessLab({ ...HEALTHY, exists: false }))).toBe('Lab "demo" does not exist (no /d).\n');
  });
});
