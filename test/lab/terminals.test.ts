/**
 * The designer's terminal service (src/main/services/terminals.ts) against a real sshd: a
 * saved host that logs in as bob with a password and becomes root through sudo with his
 * password; a shell in red answers, several terminals share one SSH connection, closing them
 * ends their shells on the host; a dropped connection (as root) is told as lost, and a new
 * terminal connects again.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventMap, EventSink } from '../../src/shared/ipc/contract.js';
import { localDeployEnv } from '../../src/main/deploy/deploy-session.js';
import { memoryBox } from '../../src/main/services/secret-box.js';
import { createTargetStore } from '../../src/main/services/targets.js';
import { TerminalRegistry } from '../../src/main/services/terminals.js';
import { loadExample } from '../support/examples.js';
import { requireSshd, withSshd } from './sshd.js';
import { runNsd } from '../support/cli.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { liveProcesses, until as untilFor } from '../support/processes.js';

const skip = requireSshd('the terminal service tests (test/lab/terminals.test.ts)');

function shells(): string[] {
  return liveProcesses()
    .filter((p) => p.cmd.includes('bash --norc -i'))
    .map((p) => String(p.pid));
}

/** Shells take longer to end than a capture: 15 s. */
const until = (what: string, test: () => boolean): Promise<void> => untilFor(what, test, 15_000);

describe.skipIf(skip)('terminals', () => {
  it(
    'opens shells in namespaces as a sudo user over one connection, and closing them ends them on the host',
    () =>
      withSshd(async (_sb, sshd) => {
        const home = mkdtempSync(join(tmpdir(), 'nsd-home-'));
        mkdirSync(join(home, '.ssh'), { mode: 0o700 });
        writeFileSync(join(home, '.ssh', 'known_hosts'), sshd.knownHosts);
        const key = join(home, '.ssh', 'lab_key');
        writeFileSync(key, sshd.rootKey, { mode: 0o600 });
        const env = { HOME: home, USER: 'root', PATH: process.env.PATH };
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const file = join(EXAMPLES_DIR, '01-veth-pair.json');
        expect((await runNsd(['deploy', file, ...ssh], { env, stdin: undefined })).code).toBe(0);

        const targets = createTargetStore({ file: join(home, 'targets.json'), secrets: memoryBox() });
        const bob = await targets.save({ label: 'lab as bob', host: `bob@${sshd.host}`, socket: sshd.socketPath, sudo: true, password: sshd.users.bob.password, sudoPassword: sshd.users.bob.password });
        const registry = new TerminalRegistry({ targets, env, deployEnv: localDeployEnv(env) });
        const output = new Map<string, string>();
        const exits: EventMap['terminal:exit'][] = [];
        const sink: EventSink = {
          send(channel, payload) {
            if (channel === 'terminal:data') {
              const p = payload as EventMap['terminal:data'];
              output.set(p.sessionId, (output.get(p.sessionId) ?? '') + p.data);
            }
            if (channel === 'terminal:exit') exits.push(payload as EventMap['terminal:exit']);
          },
        };
        const doc = loadExample('01-veth-pair');
        const target = { kind: 'ssh' as const, id: bob.id };
        const red = await registry.open({ doc, target, node: 'red', cols: 100, rows: 30 }, sink);
        const blue = await registry.open({ doc, target, node: 'blue', cols: 100, rows: 30 }, sink);
        if (!red.ok || !blue.ok) throw new Error(JSON.stringify([red, blue]));
        registry.input(red.sessionId, 'id -u; ip -br addr\n');
        registry.input(blue.sessionId, 'ip -br addr\n');
        await until('red to answer', () => /192\.168\.15\.1\/24/.test(output.get(red.sessionId) ?? ''));
        await until('blue to answer', () => /192\.168\.15\.2\/24/.test(output.get(blue.sessionId) ?? ''));
        expect(output.get(red.sessionId)).toMatch(/^0\r$/m);
        expect(output.get(red.sessionId)).not.toContain(sshd.users.bob.password);
        // One SSH login for both terminals.
        expect(sshd.log().match(/Accepted password for bob/g)).toHaveLength(1);

        const refused = await registry.open({ doc, target, node: 'nope', cols: 80, rows: 24 }, sink);
        expect(refused).toEqual({ ok: false, message: 'node "nope" is not in lab veth-pair; pick one of: red, blue' });

        await registry.close(red.sessionId);
        await registry.close(blue.sessionId);
        await until('both exits', () => exits.length === 2);
        expect(exits.every((e) => !e.lost)).toBe(true);
        await until('the shells to end on the host', () => shells().length === 0);

        // A dropped connection ends its terminals as lost (the tab offers Reconnect); the next terminal connects again.
        const root = await targets.save({ label: 'lab as root', host: `root@${sshd.host}`, identityFile: key, socket: sshd.socketPath, sudo: false });
        const rootTarget = { kind: 'ssh' as const, id: root.id };
        const again = await registry.open({ doc, target: rootTarget, node: 'red', cols: 80, rows: 24 }, sink);
        if (!again.ok) throw new Error(again.message);
        sshd.dropConnections();
        await until('the lost exit', () => exits.length === 3);
        expect(exits[2]).toEqual({ sessionId: again.sessionId, code: null, lost: true });
        const reconnected = await registry.open({ doc, target: rootTarget, node: 'red', cols: 80, rows: 24 }, sink);
        if (!reconnected.ok) throw new Error(reconnected.message);
        registry.input(reconnected.sessionId, 'exit 0\n');
        await until('the reconnected shell to end', () => exits.length === 4);
        expect(exits[3]).toEqual({ sessionId: reconnected.sessionId, code: 0, lost: false });
        expect((await runNsd(['destroy', file, ...ssh], { env, stdin: undefined })).code).toBe(0);
      }, { upstream: false }),
    120_000,
  );
});
