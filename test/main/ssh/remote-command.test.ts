import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killCommand, PID_LINE, LIVE_PID_LINE, LIVE_READY_LINE, liveCommand, liveCommandSaysReady, remoteCommand, sudoCheckCommand } from '../../../src/main/ssh/remote-command.js';

describe('remote-command', () => {
  const run = `env NSD_EVENTS=1 bash -c 'f=$(mktemp) || exit; if cat >"$f"; then exec <"$f"; rm -f "$f"; exec "$BASH" -s -- "$@"; fi; rm -f "$f"; exit 1' bash up`;
  it.each([
    ['root', `echo "@nsd pid $$"; exec ${run}`],
    ['sudo', `echo "@nsd pid $$"; exec sudo -n ${run}`],
    ['sudo-password', `echo "@nsd pid $$"; exec sudo -k -S -p '' ${run}`],
  ] as const)('runs the script from standard input as %s, never on the command line', (privilege, command) => {
    expect(remoteCommand('up', privilege)).toBe(command);
  });

  it('hands bash the script as a file it reads in blocks, not a pipe it reads byte by byte, and leaves no file behind', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nsd-remote-'));
    try {
      const script = 'echo "stdin=$(stat -L -c %F /dev/stdin) self=${BASH_SOURCE[0]-none} events=$NSD_EVENTS action=$*"\n';
      const out = execFileSync('/bin/sh', ['-c', remoteCommand('status', 'root')], { input: script, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
      expect(out.replace(PID_LINE, '')).toBe('stdin=regular file self=none events=1 action=status\n');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
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

  it.each([
    ['root', false, `echo "@nsd pid $$"; exec sh -c 'ip netns exec red ip -br addr'`],
    ['sudo', false, `echo "@nsd pid $$"; exec sudo -n sh -c 'ip netns exec red ip -br addr'`],
    ['sudo-password', false, `echo "@nsd pid $$"; exec sudo -k -S -p '' sh -c 'ip netns exec red ip -br addr'`],
    ['sudo-password', true, `stty -echo; echo "@nsd pid $$"; exec sudo -k -S -p '' sh -c 'stty echo; echo '\\''@nsd ready'\\''; ip netns exec red ip -br addr'`],
  ] as const)('runs a live command as %s (pty %s) behind the pid line', (privilege, pty, command) => {
    expect(liveCommand('ip netns exec red ip -br addr', privilege, pty)).toBe(command);
    expect(liveCommandSaysReady(privilege, pty)).toBe(privilege === 'sudo-password' && pty);
  });

  it('keeps the root command intact through the quoting, and prints the lines the process reader waits for', () => {
    const out = execFileSync('/bin/sh', ['-c', liveCommand(`printf '%s\\n' "it's" '$HOME'`, 'root', false)], { encoding: 'utf8' });
    expect(out.replace(LIVE_PID_LINE, '')).toBe("it's\n$HOME\n");
    expect(LIVE_READY_LINE.test('@nsd ready\r\n')).toBe(true);
  });
});
