/**
 * Logins and host keys against a real sshd that uses PAM (so keyboard-interactive exists):
 * the method actually used is read from sshd's own log; a reinstalled host (new host key) and
 * an unknown key the user declines are refused before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { ConnectError, type connect } from '../../src/main/ssh/connection.js';
import { parseKnownHosts } from '../../src/main/ssh/known-hosts.js';
import { runAction } from '../../src/main/ssh/runner.js';
import { compileExample } from '../support/examples.js';
import { login, requireSshd, withSshd, type Sshd } from './sshd.js';

const skip = requireSshd('the SSH login and host key tests (test/lab/deploy-auth.test.ts)');
const TIMEOUT = 120_000;

async function refusal(p: ReturnType<typeof connect>): Promise<ConnectError> {
  try {
    (await p).client.end();
  } catch (e) {
    if (e instanceof ConnectError) return e;
    throw e;
  }
  throw new Error('the login was accepted');
}

/** sshd logs a login from its monitor process, a moment after the client is in. */
async function logged(sshd: Sshd, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100 && !pattern.test(sshd.log()); i++) await new Promise((r) => setTimeout(r, 50));
  return sshd.log();
}

/** A sandbox without upstream and an sshd that uses PAM, so keyboard-interactive exists. */
const withPamSshd = <T>(fn: Parameters<typeof withSshd<T>>[0]): Promise<T> => withSshd(fn, { upstream: false, pam: true });

describe.skipIf(skip)('SSH logins through PAM, and host keys', () => {
  it(
    'logs in with keyboard-interactive and with password (as sshd logs them), then deploys and destroys as bob with sudo',
    () =>
      withPamSshd(async (sb, sshd) => {
        const { password } = sshd.users.bob;
        const kbd = await login(sshd, { username: 'bob', password, preferredAuthentications: ['keyboard-interactive'] });
        kbd.client.end();
        expect(await logged(sshd, /Accepted keyboard-interactive\/pam for bob /)).toMatch(/Accepted keyboard-interactive\/pam for bob /);
        expect(sshd.log()).not.toMatch(/Accepted password for bob /);

        const pw = await login(sshd, { username: 'bob', password, preferredAuthentications: ['password'] });
        pw.client.end();
        expect(await logged(sshd, /Accepted password for bob /)).toMatch(/Accepted password for bob /);

        expect((await refusal(login(sshd, { username: 'bob', password: 'not it', preferredAuthentications: ['keyboard-interactive'] }))).kind).toBe('auth');

        const c = compileExample('03-host-bridge');
        const before = await sb.snapshot();
        const conn = await login(sshd, { username: 'bob', password });
        try {
          for (const [action, steps] of [['up', c.up], ['down', c.down]] as const) {
            const events: RunEvent[] = [];
            const outcome = await runAction(conn.client, { action, script: c.script, steps, privilege: 'sudo-password', password, onEvent: (e) => events.push(e) });
            expect(outcome).toEqual({ ok: true, exitCode: 0 });
            expect(JSON.stringify(events)).not.toContain(password);
          }
        } finally {
          conn.client.end();
        }
        expect(await sb.snapshot()).toBe(before);
        // The sudo password went to stdin only: it appears in no log line of sshd.
        expect(sshd.log()).not.toContain(password);
      }),
    TIMEOUT,
  );

  it(
    'never lets a sudo password reach bash: sudo-password on a NOPASSWD account runs without it, and nothing prints it',
    () =>
      withPamSshd(async (sb, sshd) => {
        const c = compileExample('01-veth-pair');
        const secret = 'leaky-secret-4711';
        const before = await sb.snapshot();
        const conn = await login(sshd, { username: 'alice', privateKey: sshd.users.alice.key, passphrase: sshd.users.alice.passphrase });
        try {
          for (const [action, steps] of [['up', c.up], ['down', c.down]] as const) {
            const events: RunEvent[] = [];
            const outcome = await runAction(conn.client, { action, script: c.script, steps, privilege: 'sudo-password', password: secret, onEvent: (e) => events.push(e) });
            expect(outcome).toEqual({ ok: true, exitCode: 0 });
            expect(JSON.stringify(events)).not.toContain(secret);
          }
        } finally {
          conn.client.end();
        }
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'refuses a host whose key changed (reinstalled) without asking, and an unknown key the user declines, running nothing',
    () =>
      withPamSshd(async (sb, sshd) => {
        const before = await sb.snapshot();
        const rootKey = { username: 'root', privateKey: sshd.rootKey };

        // Declined: the user was asked once, with the fingerprint ssh-keygen prints for the host key.
        const asked: string[] = [];
        const declined = await refusal(login(sshd, { ...rootKey, knownHosts: [], confirmHostKey: (fp) => (asked.push(fp), Promise.resolve(false)) }));
        expect(declined.kind).toBe('host-key-unknown');
        const pub = join(sb.tmpDir, 'host-key.pub');
        writeFileSync(pub, `ssh-ed25519 ${sshd.hostKeyBase64}\n`);
        const printed = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).stdout.split(' ')[1];
        expect(asked).toEqual([printed]);
        expect(declined.message).toContain(printed);

        const oldKnownHosts = parseKnownHosts(sshd.knownHosts);
        const newKnownHosts = await sshd.rotateHostKey();
        let askedAgain = false;
        const changed = await refusal(login(sshd, { ...rootKey, knownHosts: oldKnownHosts, confirmHostKey: () => ((askedAgain = true), Promise.resolve(true)) }));
        expect(changed.kind).toBe('host-key-changed');
        expect(changed.message).toMatch(/CHANGED.*Refusing/);
        expect(askedAgain).toBe(false);

        // Nothing ran: no shell ever read a script, and the lab host is as it was.
        expect(existsSync(join(sshd.shimDir, '..', 'received', 'root'))).toBe(false);
        expect(await sb.snapshot()).toBe(before);

        const trusted = await login(sshd, { ...rootKey, knownHosts: parseKnownHosts(newKnownHosts) });
        expect(trusted.newlyTrusted).toBe(false);
        trusted.client.end();
      }),
    TIMEOUT,
  );
});
