/**
 * Faults over SSH against a real sshd: a step that fails midway is reported by step and a
 * following down leaves nothing; sshd killed mid-run is a lost connection that a fresh one
 * recovers from; a hung script is stopped on the host by the time limit or by cancel, also
 * when the run is under sudo.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import type { ConnectOptions } from '../../src/main/ssh/connection.js';
import type { Privilege } from '../../src/main/ssh/remote-command.js';
import { runAction } from '../../src/main/ssh/runner.js';
import { compileExample } from '../support/examples.js';
import { requireSshd, rootLogin as login, runCompiled as run, withSshd } from './sshd.js';

const skip = requireSshd('the SSH fault tests (test/lab/deploy-faults.test.ts)');
const TIMEOUT = 120_000;

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

async function gone(pids: number[], ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !pids.some(alive);
}

describe.skipIf(skip)('faults over SSH', () => {
  it(
    'reports a step that fails midway by its id, element and command, and a following down leaves nothing',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('04-nat');
        const before = await sb.snapshot();
        // An iptables that refuses to add anything, first on the session's PATH: up fails after namespaces and links exist.
        const fault = join(sshd.shimDir, 'iptables');
        writeFileSync(
          fault,
          '#!/bin/sh\nfor a in "$@"; do case "$a" in -A|-I|-N) echo "injected fault: iptables $*" >&2; exit 1;; esac; done\nexec /usr/sbin/iptables "$@"\n',
          { mode: 0o755 },
        );
        const conn = await login(sshd);
        try {
          const up = await run(conn, c, 'up');
          expect(up.outcome.error?.kind).toBe('script');
          const failed = up.events.filter((e) => e.type === 'step-failed');
          expect(failed).toHaveLength(1);
          const index = c.up.findIndex((s) => s.id === 'forwarding/chain/ipv4') + 1;
          expect(failed[0]).toMatchObject({ step: { index, id: 'forwarding/chain/ipv4', phase: 'forwarding', element: null }, exitStatus: 1, command: 'iptables -t filter -N NSD-nat-FWD' });
          expect(failed[0]?.type === 'step-failed' && failed[0].stderr.join('\n')).toContain('injected fault: iptables -t filter -N NSD-nat-FWD');
          // The run stopped at the first failure: no later step started.
          expect(up.events.filter((e) => e.type === 'step-started').map((e) => (e.type === 'step-started' ? e.step.index : 0)).at(-1)).toBe(index);
          expect(await sb.snapshot(), 'the failed up built nothing (else this test proves little)').not.toBe(before);
          const lines = up.events.flatMap((e) => (e.type === 'output' && e.stream === 'stderr' ? [e.line] : []));
          expect(lines).toContain('The lab is partly up: "nsd destroy 04-nat.json --host ..." removes what was made; "nsd deploy 04-nat.json --host ..." resumes after a fix.');

          rmSync(fault);
          expect((await run(conn, c, 'down')).outcome).toEqual({ ok: true, exitCode: 0 });
          expect(await sb.snapshot()).toBe(before);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );

  it(
    'reports sshd killed mid-run as a lost connection; after a restart a new connection reads status and takes the lab down',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('06-router');
        const before = await sb.snapshot();
        const conn = await login(sshd);
        let killed = false;
        const cut = await run(conn, c, 'up', {
          onEvent: (e) => {
            if (!killed && e.type === 'step-started' && e.step.index === 3) {
              killed = true;
              void sshd.killAll();
            }
          },
        });
        expect(killed).toBe(true);
        expect(cut.outcome.error?.kind).toBe('connection-lost');
        expect(cut.events.at(-1)).toMatchObject({ type: 'error', kind: 'connection-lost' });
        // Whatever the orphaned lab.sh still does, it ends on its own (its output has nowhere to go).
        for (let i = 0; i < 100 && (await sb.lab(['pgrep', '-f', 'bash -s -- up'])).code === 0; i++) await new Promise((r) => setTimeout(r, 100));

        await expect(login(sshd)).rejects.toMatchObject({ kind: 'connect' });
        await sshd.restart();
        const again = await login(sshd);
        try {
          const status = await run(again, c, 'status');
          expect(status.outcome.error?.kind ?? 'none').not.toBe('connection-lost');
          expect(status.events.some((e) => e.type === 'output' && /lab router/.test(e.line))).toBe(true);
          expect((await run(again, c, 'down')).outcome).toEqual({ ok: true, exitCode: 0 });
          expect(await sb.snapshot()).toBe(before);
        } finally {
          again.client.end();
        }
      }),
    TIMEOUT,
  );

  it(
    'sends no script when cancelled while the remote command is still starting',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('02-bridge');
        const before = await sb.snapshot();
        const conn = await login(sshd);
        try {
          const abort = new AbortController();
          const pending = run(conn, c, 'up', { signal: abort.signal });
          // The exec request is on its way; the remote shell has not answered yet.
          setImmediate(() => abort.abort());
          const { outcome, events } = await pending;
          expect(outcome.error?.kind).toBe('cancelled');
          expect(events.filter((e) => e.type === 'step-started')).toEqual([]);
          const received = join(sshd.shimDir, '..', 'received', 'root');
          expect(existsSync(received) ? readFileSync(received, 'utf8') : '').toBe('');
          expect(await sb.snapshot()).toBe(before);
          // The connection is still good for a real run.
          expect((await run(conn, c, 'status')).outcome.error?.kind).not.toBe('connection-lost');
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );

  it.each([
    ['sudo', 'timeout'],
    ['sudo-password', 'cancelled'],
  ] as const)(
    'stops a sudo check that hangs as %s when %s, running nothing and leaving no process behind',
    (privilege: Privilege, why) =>
      withSshd(async (sb, sshd) => {
        // Written by the login user: only the received directory is open to everyone.
        const pids = join(sshd.shimDir, '..', 'received', `sudo-pids-${privilege}-${why}`);
        // A sudo that never answers (an LDAP or PAM module waiting on something), first on the session's PATH.
        writeFileSync(join(sshd.shimDir, 'sudo'), `#!/bin/sh\necho $$ >> ${pids}\nexec sleep 300\n`, { mode: 0o755 });
        const before = await sb.snapshot();
        const user: Partial<ConnectOptions> =
          privilege === 'sudo'
            ? { username: 'alice', privateKey: sshd.users.alice.key, passphrase: sshd.users.alice.passphrase }
            : { username: 'bob', privateKey: undefined, password: sshd.users.bob.password };
        const conn = await login(sshd, user);
        try {
          const abort = new AbortController();
          if (why === 'cancelled') setTimeout(() => abort.abort(), 500);
          const started = Date.now();
          const events: RunEvent[] = [];
          const c = compileExample('01-veth-pair');
          const outcome = await runAction(conn.client, {
            action: 'up',
            script: c.script,
            steps: c.up,
            privilege,
            ...(privilege === 'sudo-password' ? { password: sshd.users.bob.password } : {}),
            timeoutMs: why === 'timeout' ? 1_000 : 60_000,
            signal: abort.signal,
            onEvent: (e) => events.push(e),
          });
          expect(Date.now() - started).toBeLessThan(10_000);
          expect(outcome.error?.kind).toBe(why);
          expect(outcome.error?.message).toMatch(/nothing ran/);
          expect(events.map((e) => e.type)).toEqual(['error']);
          const hung = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
          expect(hung.length).toBeGreaterThan(0);
          expect(await gone(hung), `the hung sudo ${hung.join(' ')} is still running`).toBe(true);
          expect(existsSync(join(sshd.shimDir, '..', 'received', user.username!))).toBe(false);
          expect(await sb.snapshot()).toBe(before);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );

  it.each([
    ['root', 'timeout'],
    ['root', 'cancelled'],
    ['sudo', 'timeout'],
    ['sudo-password', 'cancelled'],
  ] as const)(
    'stops a hung script on the host as %s when %s',
    (privilege: Privilege, why) =>
      withSshd(async (_sb, sshd) => {
        const pids = join(sshd.shimDir, '..', `pids-${privilege}-${why}`);
        // A tiny script that hangs: a child that sleeps and a shell that waits for it.
        const script = `sleep 300 & echo "$$ $!" > ${pids}; echo hanging; wait\n`;
        const user: Partial<ConnectOptions> =
          privilege === 'root'
            ? {}
            : privilege === 'sudo'
              ? { username: 'alice', privateKey: sshd.users.alice.key, passphrase: sshd.users.alice.passphrase }
              : { username: 'bob', privateKey: undefined, password: sshd.users.bob.password };
        const conn = await login(sshd, user);
        try {
          const abort = new AbortController();
          const events: RunEvent[] = [];
          const outcome = await runAction(conn.client, {
            action: 'status',
            script,
            privilege,
            ...(privilege === 'sudo-password' ? { password: sshd.users.bob.password } : {}),
            timeoutMs: why === 'timeout' ? 1_500 : 60_000,
            signal: abort.signal,
            onEvent: (e) => {
              events.push(e);
              if (why === 'cancelled' && e.type === 'output' && e.line === 'hanging') abort.abort();
            },
          });
          expect(outcome.error?.kind).toBe(why);
          expect(events.filter((e) => e.type === 'error').map((e) => (e.type === 'error' ? e.kind : ''))).toEqual([why]);
          const [shell, sleep] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
          expect(await gone([shell!, sleep!]), `the remote processes ${shell} and ${sleep} are still running`).toBe(true);
          // The connection is still usable afterwards.
          expect((await runAction(conn.client, { action: 'status', script: 'echo fine\n', privilege, ...(privilege === 'sudo-password' ? { password: sshd.users.bob.password } : {}), onEvent: () => undefined })).ok).toBe(true);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );
});
