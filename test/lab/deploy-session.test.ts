/**
 * The deploy session the CLI and the app share, against a real sshd: the connected event comes
 * first and names the key, a key trusted through confirmHostKey is stored, a sandbox lab host
 * is trusted by the lab.json beside its socket (never asked, never stored), and cancelling while
 * the host key question is open runs nothing.
 */
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/main/lab/lab-info.js';
import { fingerprint } from '../../src/main/ssh/known-hosts.js';
import type { RunEvent } from '../../src/shared/deploy/events.js';
import { runDeploySession, type DeployEnv, type DeploySessionRequest } from '../../src/main/deploy/deploy-session.js';
import { compileExample } from '../support/examples.js';
import { requireSshd, withSshd, type Sshd } from './sshd.js';

/** Some other ed25519 host key. */
const OTHER_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHb2s0lRQ0bUcMSavQ3mdmW9fL0UtGDDv2KQMhGH1rGY';

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
    'reports connected first, stores a trusted key in the app store, and runs the action',
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

          const down = await runDeploySession(request(sshd, { action: 'down' }, []), env);
          expect(down.ok).toBe(true);
          expect(await sb.lab(['ip', 'netns', 'list'])).toMatchObject({ code: 0, stdout: '' });
        },
        { upstream: false },
      ),
    120_000,
  );

  it(
    'trusts a sandbox lab host by the lab.json beside its socket: never asks, ignores known_hosts, stores nothing, and refuses another key',
    () =>
      withSshd(
        async (_sb, sshd) => {
          const labJson = join(dirname(sshd.socketPath), 'lab.json');
          const key = Buffer.from(sshd.hostKeyBase64, 'base64');
          const info: LabInfo = {
            name: 'demo',
            socket: sshd.socketPath,
            host: '198.51.100.2',
            port: 22,
            user: 'root',
            privateKey: '/lab/id_ed25519',
            hostKeyFingerprint: fingerprint(key),
            hostKeyLine: sshd.knownHosts.trim(),
            knownHosts: '/lab/known_hosts',
            sshConfig: '/lab/ssh_config',
            upstream: '203.0.113.1',
            uplink: 'eth0',
            createdAt: new Date().toISOString(),
          };
          const env = machine();
          env.files.set(labJson, JSON.stringify(info));
          // An earlier lab host's key for the same address, as an older nsd stored it: not consulted.
          const stale = `${sshd.host} ssh-ed25519 ${OTHER_KEY}\n`;
          env.files.set('/xdg/netns-designer/known_hosts', stale);
          const events: RunEvent[] = [];
          const outcome = await runDeploySession(request(sshd, { action: 'down', confirmHostKey: () => Promise.reject(new Error('asked')) }, events), env);
          expect(outcome.ok, JSON.stringify(events)).toBe(true);
          expect(events[0]).toMatchObject({ type: 'connected', fingerprint: info.hostKeyFingerprint });
          expect([...env.files.keys()].sort()).toEqual(['/xdg/netns-designer/known_hosts', labJson].sort());
          expect(env.files.get('/xdg/netns-designer/known_hosts')).toBe(stale);

          // The lab.json names another key: refused, whatever known_hosts says, with the way out.
          env.files.set(labJson, JSON.stringify({ ...info, hostKeyLine: `198.51.100.2 ssh-ed25519 ${OTHER_KEY}`, hostKeyFingerprint: fingerprint(Buffer.from(OTHER_KEY, 'base64')) }));
          env.files.set('/xdg/netns-designer/known_hosts', sshd.knownHosts);
          const refused = await runDeploySession(request(sshd, { confirmHostKey: () => Promise.resolve(true) }, []), env);
          expect(refused.error?.kind).toBe('host-key-changed');
          expect(refused.error?.message).toContain(`not the ${fingerprint(Buffer.from(OTHER_KEY, 'base64'))} that ${labJson} records`);
          expect(refused.error?.message).toContain('nsd lab down --name demo; nsd lab up --name demo');
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
