/**
 * Deploying over SSH for real: ssh2 against a real sshd in a sandbox lab host. The script goes
 * over once, events come back, refusals run nothing, cancel and the time limit stop the host.
 */
import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../src/main/ssh/connection.js';
import { parseKnownHosts } from '../../src/main/ssh/known-hosts.js';
import { compileExample } from '../support/examples.js';
import { requireSshd, rootLogin, runCompiled as run, strangerKey, withSshd } from './sshd.js';
import { coveredSteps } from '../support/steps-covered.js';

const skip = requireSshd('the SSH deploy tests against a real sshd (test/lab/deploy.test.ts)');
const TIMEOUT = 120_000;

describe.skipIf(skip)('deploy over SSH', () => {
  it(
    'deploys the NAT example as root with a key, verifies it green, re-deploys without change and destroys it without a trace',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('04-nat');
        const before = await sb.snapshot();
        const conn = await rootLogin(sshd);
        try {
          const up = await run(conn, c, 'up');
          expect(up.outcome).toEqual({ ok: true, exitCode: 0 });
          expect(coveredSteps(up.events, 'step-finished', c.up)).toEqual(c.up.map((s) => s.id));
          // The bytes bash read are exactly the exported script.
          expect(sshd.received()).toBe(c.script);

          const verify = await run(conn, c, 'verify');
          const probes = verify.events.flatMap((e) => (e.type === 'probe' ? [e.probe] : []));
          expect(probes.map((p) => [p.id, p.result])).toEqual(c.probes.map((p) => [p.id, 'pass']));

          const afterUp = await sb.snapshot();
          expect((await run(conn, c, 'up')).outcome.ok).toBe(true);
          expect(await sb.snapshot()).toBe(afterUp);

          expect((await run(conn, c, 'down')).outcome.ok).toBe(true);
          expect(await sb.snapshot()).toBe(before);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );

  it(
    'refuses an unknown host key without consent, a changed host key and a wrong key, running nothing',
    () =>
      withSshd(async (sb, sshd) => {
        const before = await sb.snapshot();
        const refused = async (overrides: Parameters<typeof rootLogin>[1]): Promise<ConnectError> => {
          try {
            const conn = await rootLogin(sshd, overrides);
            conn.client.end();
          } catch (e) {
            if (e instanceof ConnectError) return e;
            throw e;
          }
          throw new Error('the connection was accepted');
        };
        const unknown = await refused({ knownHosts: [] });
        expect(unknown.kind).toBe('host-key-unknown');
        expect(unknown.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);

        const other = parseKnownHosts(`${sshd.host} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb2s0lRQ0bUcMSavQ3mdmW9fL0UtGDDv2KQMhGH1rGY\n`);
        const changed = await refused({ knownHosts: other, confirmHostKey: () => Promise.resolve(true) });
        expect(changed.kind).toBe('host-key-changed');
        expect(changed.message).toContain('CHANGED');

        const stranger = strangerKey(sb.tmpDir);
        const wrongKey = await refused({ privateKey: stranger });
        expect(wrongKey.kind).toBe('auth');

        // An unknown key is trusted on a yes, with its fingerprint shown.
        let asked = '';
        const conn = await rootLogin(sshd, { knownHosts: [], confirmHostKey: (fp) => ((asked = fp), Promise.resolve(true)) });
        expect(conn.newlyTrusted).toBe(true);
        expect(conn.fingerprint).toBe(asked);
        conn.client.end();
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'stops the run on the host when cancelled or when it exceeds its time limit',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('06-router');
        const conn = await rootLogin(sshd);
        try {
          expect((await run(conn, c, 'up')).outcome.ok).toBe(true);
          // verify waits about 2 s for the unanswered ping from red to green (green has no route back).
          const abort = new AbortController();
          setTimeout(() => abort.abort(), 400);
          const cancelled = await run(conn, c, 'verify', { signal: abort.signal });
          expect(cancelled.outcome.error?.kind).toBe('cancelled');
          const timedOut = await run(conn, c, 'verify', { timeoutMs: 400 });
          expect(timedOut.outcome.error?.kind).toBe('timeout');
          expect(timedOut.events.some((e) => e.type === 'error' && e.kind === 'timeout')).toBe(true);
          // Killed pings may linger a moment as zombies until their new parent reaps them: only living ones count.
          const living = async (): Promise<string> => (await sb.lab(['sh', '-c', 'pgrep -a -x -r R,S,D,T ping || true'])).stdout;
          for (let i = 0; i < 50 && (await living()) !== ''; i++) await new Promise((r) => setTimeout(r, 100));
          expect(await living()).toBe('');
          expect((await run(conn, c, 'down')).outcome.ok).toBe(true);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );

  it(
    'reports a dropped connection mid-run, and a new connection can still take the lab down',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('06-router');
        const before = await sb.snapshot();
        const conn = await rootLogin(sshd);
        expect((await run(conn, c, 'up')).outcome.ok).toBe(true);
        setTimeout(() => sshd.dropConnections(), 400);
        const cut = await run(conn, c, 'verify');
        expect(cut.outcome.error?.kind).toBe('connection-lost');
        const again = await rootLogin(sshd);
        try {
          expect((await run(again, c, 'down')).outcome.ok).toBe(true);
          expect(await sb.snapshot()).toBe(before);
        } finally {
          again.client.end();
        }
      }),
    TIMEOUT,
  );

  it(
    'names the failing step when the host refuses the lab, and changes nothing',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compileExample('02-bridge');
        await sb.lab(['ip', 'link', 'add', 'vnet0', 'type', 'bridge']);
        const before = await sb.snapshot();
        const conn = await rootLogin(sshd);
        try {
          const up = await run(conn, c, 'up');
          expect(up.outcome.error?.kind).toBe('script');
          const failed = up.events.find((e) => e.type === 'step-failed');
          expect(failed).toMatchObject({ step: { index: 1, id: 'preflight' }, exitStatus: 1 });
          expect(failed?.type === 'step-failed' && failed.stderr.join('\n')).toContain('interface vnet0 exists in the host and was not made by this lab');
          expect(await sb.snapshot()).toBe(before);
        } finally {
          conn.client.end();
        }
      }),
    TIMEOUT,
  );
});
