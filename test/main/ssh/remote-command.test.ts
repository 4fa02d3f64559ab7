import { describe, expect, it } from 'vitest';
import { killCommand, remoteCommand, sudoCheckCommand } from '../../../src/main/ssh/remote-command.js';

describe('remote-command', () => {
  it.each([
    ['root', 'echo "@nsd pid $$"; exec env NSD_EVENTS=1 bash -s -- up'],
    ['sudo', 'echo "@nsd pid $$"; exec sudo -n env NSD_EVENTS=1 bash -s -- up'],
    ['sudo-password', `echo "@nsd pid $$"; exec sudo -k -S -p '' env NSD_EVENTS=1 bash -s -- up`],
  ] as const)('runs the script from standard input as %s, never on the command line', (privilege, command) => {
    expect(remoteCommand('up', privilege)).toBe(command);
  });

  it('checks sudo before running, and needs no check as root', () => {
    expect(sudoCheckCommand('root')).toBeUndefined();
    expect(sudoCheckCommand('sudo')).toBe('sudo -n true');
    expect(sudoCheckCommand('sudo-password')).toBe(`sudo -k -S -p '' true`);
  });

  it('signals the whole process group, and refuses pids that are not a group of ours', () => {
    expect(killCommand(4242, 'root')).toBe(`sh -c 'kill -TERM -4242 2>/dev/null; sleep 1; kill -KILL -4242 2>/dev/null; true'`);
    expect(killCommand(4242, 'sudo').startsWith('sudo -n sh -c ')).toBe(true);
    expect(() => killCommand(1, 'root')).toThrow(/refusing/);
    expect(() => killCommand(Number.NaN, 'root')).toThrow(/refusing/);
  });
});
