/**
 * `nsd deploy | verify | status | destroy` end to end against a real sshd in a sandbox lab
 * host, with the exit codes a script can rely on.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { DEPLOY_EXIT } from '../../src/cli/deploy.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { requireLab, Sandbox } from './sandbox.js';
import { startSshd, type Sshd } from './sshd.js';

const skip = requireLab('the nsd deploy command tests (test/lab/cli-deploy.test.ts)');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(home: string): (...argv: string[]) => Promise<Outcome> {
  return async (...argv) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      readFile: (p) => readFile(p, 'utf8'),
      writeFile: () => Promise.reject(new Error('not used')),
      env: { HOME: home, USER: 'root', PATH: process.env.PATH },
    };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  };
}

function homeFor(sshd: Sshd, trust: boolean): { home: string; key: string } {
  const home = mkdtempSync(join(tmpdir(), 'nsd-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const key = join(home, '.ssh', 'lab_key');
  writeFileSync(key, sshd.rootKey, { mode: 0o600 });
  if (trust) writeFileSync(join(home, '.ssh', 'known_hosts'), sshd.knownHosts);
  return { home, key };
}

describe.skipIf(skip)('nsd deploy over SSH', () => {
  it(
    'deploys, verifies, reports status and destroys the port-forward example, with exit codes per outcome',
    async () => {
      const sb = await Sandbox.create({ upstream: true });
      try {
        const sshd = await startSshd(sb);
        const { home, key } = homeFor(sshd, true);
        const nsd = cli(home);
        const file = join(EXAMPLES_DIR, '05-port-forward.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const before = await sb.snapshot();

        const status0 = await nsd('status', file, ...ssh);
        expect(status0.code).toBe(DEPLOY_EXIT.down);

        const up = await nsd('deploy', file, ...ssh);
        expect(up.code, up.stderr).toBe(DEPLOY_EXIT.ok);
        // Sent as "bash -s", the script has no file on the host: it says to use nsd.
        expect(up.stdout).toContain('lab port-forward is up. Check it with: nsd verify 05-port-forward.json --host ...\n');
        expect(up.stderr).toMatch(/connected to root@198\.51\.100\.2:22 \(SHA256:/);

        const verify = await nsd('verify', file, ...ssh, '--json');
        expect(verify.code).toBe(DEPLOY_EXIT.ok);
        const events = verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; probe?: { result: string } });
        expect(events[0]!.type).toBe('connected');
        expect(events.filter((e) => e.type === 'probe').map((e) => e.probe!.result)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
        expect(events.at(-1)!.type).toBe('finished');

        expect((await nsd('status', file, ...ssh)).code).toBe(DEPLOY_EXIT.ok);
        expect((await nsd('destroy', file, ...ssh)).code).toBe(DEPLOY_EXIT.ok);
        expect(await sb.snapshot()).toBe(before);
      } finally {
        await sb.destroy();
      }
    },
    120_000,
  );

  it(
    'refuses an unknown host key unless --accept-new, then remembers it',
    async () => {
      const sb = await Sandbox.create({ upstream: false });
      try {
        const sshd = await startSshd(sb);
        const { home, key } = homeFor(sshd, false);
        const nsd = cli(home);
        const file = join(EXAMPLES_DIR, '01-veth-pair.json');
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const refused = await nsd('status', file, ...ssh);
        expect(refused.code).toBe(DEPLOY_EXIT.connect);
        expect(refused.stderr).toMatch(/is not known \(SHA256:.*\) and was not trusted; nothing was run/);
        expect((await nsd('status', file, ...ssh, '--accept-new')).code).toBe(DEPLOY_EXIT.down);
        expect(await readFile(join(home, '.config', 'netns-designer', 'known_hosts'), 'utf8')).toBe(sshd.knownHosts);
        expect((await nsd('status', file, ...ssh)).code).toBe(DEPLOY_EXIT.down);
      } finally {
        await sb.destroy();
      }
    },
    120_000,
  );

  it('rejects a deploy command without --host as a usage error', async () => {
    const r = await cli(tmpdir())('deploy', join(EXAMPLES_DIR, '01-veth-pair.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"deploy" needs --host [user@]host[:port]');
  });
});
