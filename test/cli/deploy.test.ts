/**
 * The deploy commands' refusals that need no SSH server: a real TCP server on 127.0.0.1 that
 * accepts and never speaks stands for a host whose sshd hangs. The real deploys are in test/lab.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../../src/main/package-paths.js';
import { runNsd } from '../support/cli.js';
import { EXIT } from '../../src/shared/exit-codes.js';

let home: string;
let silent: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'nsd-deploy-cli-'));
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await rm(home, { recursive: true, force: true });
});

/** The user's own state stays out: HOME and XDG_CONFIG_HOME in a temp dir, a password so a login method exists. */
const env = (): Record<string, string> => ({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), USER: 'ada', NSD_SSH_PASSWORD: 'x' });

describe('deploy', () => {
  it('gives up connecting when --timeout runs out, with the timeout exit code', async () => {
    const port = (silent.address() as AddressInfo).port;
    const started = Date.now();
    const r = await runNsd(['deploy', join(EXAMPLES_DIR, '01-veth-pair.json'), '--host', `root@127.0.0.1:${port}`, '--timeout', '1'], { env: env() });
    const took = Date.now() - started;
    expect(r.stderr).toContain(`nsd: the time limit of 1 s ran out while connecting to 127.0.0.1:${port}; nothing ran`);
    expect(r.code).toBe(EXIT.interrupted);
    // The login clock alone would wait 15 s.
    expect(took).toBeLessThan(10_000);
  }, 30_000);
});
