import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { designerCommand } from '../../src/cli/designer.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), env: {}, cwd: tmpdir() } };
}

describe('designer', () => {
  it('says how to build the designer when it is not built', async () => {
    const { out, io: cli } = io();
    const code = await designerCommand({ signal: AbortSignal.abort(), staticDir: join(tmpdir(), 'nsd-no-such-renderer') }, cli);
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/the designer is not built .* run: npm run build/);
  });

  it('serves the designer with a token until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-designer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>designer</p>');
    const stop = new AbortController();
    const { out, io: cli } = io();
    const running = designerCommand({ signal: stop.signal, staticDir: dir, workspace: dir }, cli);
    await expect.poll(() => out.stdout).toContain('#token=');
    const link = /(http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]+)/.exec(out.stdout)!;
    expect((await fetch(`${link[1]}/`)).status).toBe(200);
    const info = await fetch(`${link[1]}/api/invoke/app:info`, { method: 'POST', headers: { authorization: `Bearer ${link[2]}`, 'x-nsd-client': 'test-client-1', 'content-type': 'application/json' }, body: '{}' });
    // No keychain in the browser entry: the Hosts dialog must not claim one.
    expect(((await info.json()) as { value: { mode: string; workspace: string } }).value).toMatchObject({ mode: 'browser', workspace: dir, secrets: 'memory' });
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${link[1]}/`)).rejects.toThrow();
  });
});
