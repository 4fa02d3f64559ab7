/**
 * The deploy session the CLI and the app share, against a real sshd: the connected event comes
 * first and names the key, a key trusted through confirmHostKey is stored (or not, when asked
 * not to), and cancelling while the host key question is open runs nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { runDeploySession, type DeployEnv, type DeploySessionRequest } from '../../src/main/deploy/deploy-session.js';
import { compileExample } from '../support/examples.js';
import { requireSshd, withSshd, type Sshd } from './sshd.js';

const skip = requireSshd('the deploy session tests against a real sshd (test/lab/deploy-session.test.ts)');

/** A machine with no files but what is written to it. */
function machine(): DeployEnv & { files: Map<string, string> } {
  const files = new Map<string, string>();
  return {
    home: '/home/ada',
    user: 'ada',
    env: { XDG_CONFIG_HOME: '/xdg' },
    readFile: (path) => (files.has(path) ? Promise.resolve(files.get(path)!) : Promise.reject(new Error(`ENOENT: ${path}`))),
    appendFile: (path, data) => (files.set(path, (files.get(path) ?? '') + data), Promise.resolve()),
    files,
  };
}

function request(sshd: Sshd, overrides: Partial<DeploySessionRequest>, events: RunEvent[]): DeploySessionRequest {
  return {
    action: 'status',
    compiled: compileExample('01-veth-pair'),
    target: { host: `root@${sshd.host}`, socket: sshd.socketPath, sudo: false },
    secrets: { privateKey: sshd.rootKey },
    confirmHostKey: () => Promise.resolve(true),
    onEvent: (e) => events.push(e),
    ...overrides,
  };
}

describe.skipIf(skip)('deploy session over SSH', () => {
  it(
    'reports connected first, stores a trusted key in the app store unless told not to, and runs the action',
    () =>
      withSshd(
        async (sb, sshd) => {
          const env = machine();
          const events: RunEvent[] = [];
          let asked = '';
          const up = await runDeploySession(request(sshd, { action: 'up', confirmHostKey: (fp) => ((asked = fp), Promise.resolve(true)) }, events), env);
          expect(up).toEqual({ ok: true, exitCode: 0, failedProbes: 0 });
          expect(events[0]).toEqual({ type: 'connected', at: expect.any(Number) as number, host: `${sshd.host}:22`, user: 'root', fingerprint: asked, sudo: false });
          expect(events.at(-1)).toMatchObject({ type: 'finished', action: 'up', ok: true });
          expect(env.files.get('/xdg/netns-designer/known_hosts')).toBe(sshd.knownHosts);

          // Known now: not asked again.
          const verify: RunEvent[] = [];
          const green = await runDeploySession(request(sshd, { action: 'verify', confirmHostKey: () => Promise.reject(new Error('asked again')) }, verify), env);
          expect(green).toMatchObject({ ok: true, failedProbes: 0 });
          expect(verify.filter((e) => e.type === 'probe').length).toBeGreaterThan(0);

          // As the app does for the sandbox lab host, trusted by its lab.json: asked, but never stored.
          const other = machine();
          const down = await runDeploySession(request(sshd, { action: 'down', storeNewHostKey: false }, []), other);
          expect(down.ok).toBe(true);
          expect(other.files.size).toBe(0);
          expect(await sb.lab(['ip', 'netns', 'list'])).toMatchObject({ code: 0, stdout: '' });
        },
        { upstream: false },
      ),
    120_000,
  );

  it(
    'runs nothing when cancelled while the host key question is open',
    () =>
      withSshd(
        async (sb, sshd) => {
          const before = await sb.snapshot();
          const abort = new AbortController();
          const events: RunEvent[] = [];
          const outcome = await runDeploySession(
            request(sshd, { action: 'up', signal: abort.signal, confirmHostKey: () => (abort.abort(), new Promise<boolean>(() => undefined)) }, events),
            machine(),
          );
          expect(outcome).toMatchObject({ ok: false, exitCode: null, error: { kind: 'cancelled' } });
          expect(events.map((e) => e.type)).toEqual(['error']);
          expect(await sb.snapshot()).toBe(before);
        },
        { upstream: false },
      ),
    120_000,
  );
});
