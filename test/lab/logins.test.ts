/**
 * Every way people log in to lab VMs, against a real sshd: a key with a passphrase and
 * NOPASSWD sudo, a password and sudo with a password, ssh-agent; refusals run nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { ConnectError, type ConnectOptions } from '../../src/main/ssh/connection.js';
import type { Privilege } from '../../src/main/ssh/remote-command.js';
import { runAction, type RunOutcome } from '../../src/main/ssh/runner.js';
import { compileExample } from '../support/examples.js';
import { login, requireSshd, withSshd, type Sshd } from './sshd.js';

const skip = requireSshd('the SSH login tests against a real sshd (test/lab/logins.test.ts)');

const c = compileExample('02-bridge');

async function upAndDown(sshd: Sshd, user: Partial<ConnectOptions> & { username: string }, privilege: Privilege, password?: string): Promise<RunOutcome[]> {
  const conn = await login(sshd, user);
  try {
    const outcomes: RunOutcome[] = [];
    for (const [action, steps] of [['up', c.up], ['down', c.down]] as const) {
      const events: RunEvent[] = [];
      outcomes.push(await runAction(conn.client, { action, script: c.script, steps, privilege, ...(password !== undefined ? { password } : {}), onEvent: (e) => events.push(e) }));
    }
    return outcomes;
  } finally {
    conn.client.end();
  }
}

describe.skipIf(skip)('SSH logins', () => {
  it(
    'deploys and destroys as alice (key with passphrase, NOPASSWD sudo), bob (password, sudo password) and root through ssh-agent',
    () =>
      withSshd(async (sb, sshd) => {
        const before = await sb.snapshot();
        const ok = [{ ok: true, exitCode: 0 }, { ok: true, exitCode: 0 }];
        expect(await upAndDown(sshd, { username: 'alice', privateKey: sshd.users.alice.key, passphrase: sshd.users.alice.passphrase }, 'sudo')).toEqual(ok);
        expect(await upAndDown(sshd, { username: 'bob', password: sshd.users.bob.password }, 'sudo-password', sshd.users.bob.password)).toEqual(ok);
        const agent = await sshd.startAgent();
        try {
          expect(await upAndDown(sshd, { username: 'root', agent: agent.socket }, 'root')).toEqual(ok);
        } finally {
          agent.stop();
        }
        expect(await sb.snapshot()).toBe(before);
      }, { upstream: false }),
    120_000,
  );

  it(
    'refuses a wrong password, a wrong passphrase and a wrong sudo password, running nothing',
    () =>
      withSshd(async (sb, sshd) => {
        const before = await sb.snapshot();
        const kind = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof ConnectError ? e.kind : String(e)));
        expect(await kind(upAndDown(sshd, { username: 'bob', password: 'not it' }, 'sudo-password', 'not it'))).toBe('auth');
        expect(await kind(upAndDown(sshd, { username: 'alice', privateKey: sshd.users.alice.key, passphrase: 'wrong' }, 'sudo'))).toBe('auth');
        const [up] = await upAndDown(sshd, { username: 'bob', password: sshd.users.bob.password }, 'sudo-password', 'wrong sudo password');
        expect(up!.ok).toBe(false);
        expect(up!.error?.kind).toBe('sudo');
        // bob without sudo: lab.sh itself says it needs root, at its preflight step.
        const [plain] = await upAndDown(sshd, { username: 'bob', password: sshd.users.bob.password }, 'root');
        expect(plain!.error?.kind).toBe('script');
        expect(await sb.snapshot()).toBe(before);
      }, { upstream: false }),
    120_000,
  );
});
