import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMap, EventSink, SavedTarget } from '../../../src/shared/ipc/contract.js';
import { RunRegistry } from '../../../src/main/services/runs.js';
import type { TargetStore } from '../../../src/main/services/types.js';
import { loadExample } from '../../support/examples.js';

/** An SSH server that accepts connections and never says a word: a run stays in its handshake. */
function silentServer(path: string): Promise<{ server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, sockets })));
}

function collect(): EventSink & { finished: string[] } {
  const finished: string[] = [];
  return {
    finished,
    send(channel, payload) {
      if (channel === 'run:event') {
        const p = payload as EventMap['run:event'];
        if (p.event.type === 'finished') finished.push(p.runId);
      }
    },
  };
}

describe('RunRegistry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsd-runs-'));
  const socket = join(dir, 'ssh.sock');
  let silent: Awaited<ReturnType<typeof silentServer>>;
  const target = (id: string): SavedTarget => ({ id, label: id, host: 'root@198.51.100.9', socket, sudo: false, hasPassword: false, hasPassphrase: false, hasSudoPassword: false });
  const targets: TargetStore = {
    list: () => Promise.resolve([]),
    secretsKept: () => 'memory',
    save: () => Promise.reject(new Error('not used')),
    remove: () => Promise.resolve(),
    get: (id) => Promise.resolve(id === 'missing' ? undefined : { target: target(id), secrets: {} }),
  };
  const registry = new RunRegistry({
    targets,
    env: { HOME: dir },
    deployEnv: { home: dir, user: 'root', env: { HOME: dir }, readFile: (p) => Promise.resolve(readFileSync(p, 'utf8')), appendFile: () => Promise.resolve() },
  });
  const doc = loadExample('01-veth-pair');

  beforeAll(async () => {
    silent = await silentServer(socket);
  });
  afterAll(() => {
    for (const s of silent.sockets) s.destroy();
    silent.server.close();
  });

  it('refuses a drawing with errors before connecting anywhere', async () => {
    const bad = structuredClone(doc) as { links: { a: { addresses: string[] } }[] };
    bad.links[0]!.a.addresses = ['192.168.15.2/24'];
    const r = await registry.start({ doc: bad, target: { kind: 'ssh', id: 'one' }, action: 'up' }, collect());
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/the drawing has 1 error\(s\)/) });
    expect(registry.running()).toEqual([]);
  });

  it('starts Destroy and inspect of a drawing with errors: they act on the lab\'s record, by the drawing\'s name', async () => {
    const bad = structuredClone(doc) as { links: { a: { addresses: string[] } }[] };
    bad.links[0]!.a.addresses = ['192.168.15.2/24'];
    const sink = collect();
    for (const action of ['down', 'inspect'] as const) {
      const r = await registry.start({ doc: bad, target: { kind: 'ssh', id: `record-${action}` }, action }, sink);
      if (!r.ok) throw new Error(r.message);
      registry.cancel(r.runId);
    }
    for (const action of ['status', 'verify', 'plan'] as const) {
      expect(await registry.start({ doc: bad, target: { kind: 'ssh', id: 'one' }, action }, sink)).toMatchObject({ ok: false, message: expect.stringMatching(/the drawing has 1 error\(s\)/) });
    }
    await expect.poll(() => registry.running(), { timeout: 10_000 }).toEqual([]);
  });

  it('says so when the saved host is gone', async () => {
    const r = await registry.start({ doc, target: { kind: 'ssh', id: 'missing' }, action: 'status' }, collect());
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/no saved host with id missing/) });
  });

  it('refuses a second run on a host while one is going, and lets cancel end it', async () => {
    const sink = collect();
    const first = await registry.start({ doc, target: { kind: 'ssh', id: 'one' }, action: 'up' }, sink);
    if (!first.ok) throw new Error(first.message);
    const again = await registry.start({ doc, target: { kind: 'ssh', id: 'one' }, action: 'down' }, sink);
    expect(again).toMatchObject({ ok: false, message: expect.stringMatching(/still going/) });
    const other = await registry.start({ doc, target: { kind: 'ssh', id: 'two' }, action: 'status' }, sink);
    if (!other.ok) throw new Error(other.message);
    expect(registry.running().sort()).toEqual([first.runId, other.runId].sort());

    registry.cancel(first.runId);
    registry.cancel(other.runId);
    await expect.poll(() => sink.finished.sort(), { timeout: 10_000 }).toEqual([first.runId, other.runId].sort());
    expect(registry.running()).toEqual([]);
    const after = await registry.start({ doc, target: { kind: 'ssh', id: 'one' }, action: 'status' }, sink);
    expect(after.ok).toBe(true);
    if (after.ok) registry.cancel(after.runId);
    await expect.poll(() => registry.running(), { timeout: 10_000 }).toEqual([]);
  });
});
