/**
 * The deploy session's decisions, and its refusals that need no SSH server: every problem before
 * the login is an `error` event and an outcome, never an exception. The real logins and runs are
 * in test/lab/deploy-session.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../../../src/shared/compiler/index.js';
import type { RunEvent } from '../../../src/shared/deploy/events.js';
import { appKnownHostsPath, keyCandidates, privilegeFor, runDeploySession, type DeployEnv, type DeploySessionRequest } from '../../../src/main/deploy/deploy-session.js';
import { loadExample } from '../../support/examples.js';

const dir = mkdtempSync(join(tmpdir(), 'nsd-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const compiled = compile(loadExample('01-veth-pair')) as Extract<CompileResult, { ok: true }>;

/** A machine with these files only; appends are recorded. */
function machine(files: Record<string, string> = {}, env: Record<string, string> = {}): DeployEnv & { appended: string[] } {
  const appended: string[] = [];
  return {
    home: '/home/ada',
    user: 'ada',
    env,
    readFile: (path) => (path in files ? Promise.resolve(files[path]!) : Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }))),
    appendFile: (path, data) => (appended.push(`${path}: ${data}`), Promise.resolve()),
    appended,
  };
}

async function session(overrides: Partial<DeploySessionRequest>, env: DeployEnv = machine()): Promise<{ outcome: Awaited<ReturnType<typeof runDeploySession>>; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const outcome = await runDeploySession(
    {
      action: 'status',
      compiled,
      target: { host: 'root@lab', socket: join(dir, 'no-such-socket'), sudo: false },
      secrets: { password: 'pw' },
      confirmHostKey: () => Promise.resolve(false),
      onEvent: (e) => events.push(e),
      ...overrides,
    },
    env,
  );
  return { outcome, events };
}

describe('deploy-session', () => {
  it('runs as root, or through sudo with or without a password', () => {
    expect(privilegeFor('root', { sudo: true }, { sudoPassword: 'x' })).toBe('root');
    expect(privilegeFor('ada', { sudo: false }, {})).toBe('root');
    expect(privilegeFor('ada', { sudo: true }, {})).toBe('sudo');
    expect(privilegeFor('ada', { sudo: true }, { sudoPassword: 'x' })).toBe('sudo-password');
  });

  it('tries the key asked for, else the alias IdentityFile, else the default keys', () => {
    expect(keyCandidates({ identityFile: '/k' }, { identityFiles: ['/cfg'] }, '/h')).toEqual(['/k']);
    // A key path saved in the app is read as ssh reads it: ~ is the home directory.
    expect(keyCandidates({ identityFile: '~/.ssh/lab' }, { identityFiles: [] }, '/h')).toEqual(['/h/.ssh/lab']);
    expect(keyCandidates({}, { identityFiles: ['/cfg'] }, '/h')).toEqual(['/cfg']);
    expect(keyCandidates({}, { identityFiles: [] }, '/h')).toEqual(['/h/.ssh/id_ed25519', '/h/.ssh/id_rsa']);
  });

  it('keeps trusted keys under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(appKnownHostsPath(machine())).toBe('/home/ada/.config/netns-designer/known_hosts');
    expect(appKnownHostsPath(machine({}, { XDG_CONFIG_HOME: '/xdg' }))).toBe('/xdg/netns-designer/known_hosts');
    expect(appKnownHostsPath(machine({}, { XDG_CONFIG_HOME: '' }))).toBe('/home/ada/.config/netns-designer/known_hosts');
  });

  it.each([
    ['a malformed host', { target: { host: 'root@', sudo: false } }, 'connect', /"root@" is not a host/],
    ['an unreadable key file', { target: { host: 'lab', identityFile: '/home/ada/.ssh/gone', sudo: false } }, 'auth', /cannot read the private key \/home\/ada\/\.ssh\/gone/],
    ['no way to log in', { secrets: {} }, 'auth', /no way to log in as root/],
    ['a socket that is not there', {}, 'connect', /cannot connect to lab:22: .*ENOENT/],
    ['a run cancelled before it started', { signal: AbortSignal.abort() }, 'cancelled', /nothing ran/],
  ] as const)('reports %s as an error event and an outcome', async (_what, overrides, kind, message) => {
    const { outcome, events } = await session(overrides as Partial<DeploySessionRequest>);
    expect(outcome).toMatchObject({ ok: false, exitCode: null, failedProbes: 0, error: { kind } });
    expect(outcome.error?.message).toMatch(message);
    expect(events).toEqual([{ type: 'error', at: expect.any(Number) as number, kind, message: outcome.error?.message }]);
  });

  it('resolves an alias through ~/.ssh/config and reads its IdentityFile', async () => {
    const env = machine({ '/home/ada/.ssh/config': 'Host lab\n  HostName 198.51.100.2\n  User root\n  Port 2222\n  IdentityFile ~/.ssh/lab_key\n' });
    const read: string[] = [];
    const { outcome } = await session({ target: { host: 'lab', socket: join(dir, 'no-such-socket'), sudo: false }, secrets: {} }, { ...env, readFile: (p) => (read.push(p), env.readFile(p)) });
    // The key file named by the alias was looked for; none exists, so no login method is left.
    expect(read).toContain('/home/ada/.ssh/lab_key');
    expect(read).toContain('/home/ada/.config/netns-designer/known_hosts');
    expect(outcome.error).toMatchObject({ kind: 'auth', message: expect.stringMatching(/as root/) as string });
  });
});
