import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileService, MAX_FILE_BYTES, MAX_RECENT, writeFileAtomic } from '../../../src/main/services/files.js';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'nsd-files-'));
}

describe('files', () => {
  describe('writeFileAtomic', () => {
    it('replaces the file, keeps its mode and leaves no temp file behind', async () => {
      const dir = scratch();
      const file = join(dir, 'lab.json');
      writeFileSync(file, 'old');
      chmodSync(file, 0o640);
      await writeFileAtomic(file, 'new');
      expect(readFileSync(file, 'utf8')).toBe('new');
      expect(statSync(file).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir)).toEqual(['lab.json']);
    });

    it('sets an explicit mode exactly, whatever the umask', async () => {
      const dir = scratch();
      const file = join(dir, 'lab.sh');
      const old = process.umask(0o077);
      try {
        await writeFileAtomic(file, '#!/bin/bash\n', { mode: 0o755 });
      } finally {
        process.umask(old);
      }
      expect(statSync(file).mode & 0o777).toBe(0o755);
    });

    it('removes its temp file when the rename fails', async () => {
      const dir = scratch();
      const target = join(dir, 'a-directory');
      mkdirSync(target);
      writeFileSync(join(target, 'x'), 'x');
      await expect(writeFileAtomic(target, 'text', { mode: 0o644 })).rejects.toThrow();
      expect(readdirSync(dir)).toEqual(['a-directory']);
    });

    it('writes through a symlink to the file it points to', async () => {
      const dir = scratch();
      writeFileSync(join(dir, 'real.json'), 'old');
      symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
      await writeFileAtomic(join(dir, 'link.json'), 'new');
      expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('new');
      expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    });
  });

  describe('open and save', () => {
    it('saves atomically and reads back what it saved', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      const path = join(dir, 'lab.json');
      expect(await files.save(path, '{"version":1}')).toEqual({ path });
      expect(readdirSync(dir).sort()).toEqual(['lab.json', 'state']);
      expect(await files.open(path)).toEqual({ path, text: '{"version":1}' });
    });

    it('refuses a file over 20 MiB and names the limit', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      const big = join(dir, 'big.json');
      writeFileSync(big, '');
      truncateSync(big, MAX_FILE_BYTES + 1);
      await expect(files.open(big)).rejects.toThrow(/big\.json is 20\.0 MiB; a topology file may be at most 20\.0 MiB/);
      const exact = join(dir, 'exact.json');
      writeFileSync(exact, '');
      truncateSync(exact, MAX_FILE_BYTES);
      expect((await files.open(exact)).text.length).toBe(MAX_FILE_BYTES);
    });

    it('refuses a file that is not UTF-8 and says where, instead of opening it with U+FFFD in it', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      const path = join(dir, 'latin1.json');
      writeFileSync(path, Buffer.concat([Buffer.from('{\n  "title": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
      await expect(files.open(path)).rejects.toThrow(`${path}: the file is not valid UTF-8: byte 0xe9 at line 2, column 16 (byte offset 17)`);
    });

    it('refuses to read a directory or a missing file, with the path in the message', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      await expect(files.open(dir)).rejects.toThrow(`${dir} is not a regular file`);
      await expect(files.open(join(dir, 'nope.json'))).rejects.toThrow(`${join(dir, 'nope.json')} does not exist`);
    });

    it('writes exports with the mode asked for and does not list them as recent', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      await files.writeExport(join(dir, 'lab.sh'), 'echo hi\n', 0o755);
      await files.writeExport(join(dir, 'lab.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      expect(statSync(join(dir, 'lab.sh')).mode & 0o777).toBe(0o755);
      expect([...readFileSync(join(dir, 'lab.png'))]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      expect(await files.recent()).toEqual([]);
    });
  });

  describe('recent', () => {
    it('lists the most recent first, without duplicates, at most ten, dropping files that are gone', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      const paths = Array.from({ length: 12 }, (_, i) => join(dir, `lab-${i}.json`));
      for (const p of paths) await files.save(p, '{}');
      await files.open(paths[5]!);
      const recent = await files.recent();
      expect(recent).toHaveLength(MAX_RECENT);
      expect(recent.slice(0, 3)).toEqual([paths[5], paths[11], paths[10]]);
      expect(new Set(recent).size).toBe(recent.length);

      await import('node:fs/promises').then((fs) => fs.rm(paths[11]!));
      expect(await files.recent()).toEqual(recent.filter((p) => p !== paths[11]));
      // Stored as JSON in the state dir, so a new service (the next session) sees the same list.
      const again = createFileService({ stateDir: join(dir, 'state') });
      expect((await again.recent())[0]).toBe(paths[5]);
      expect(JSON.parse(readFileSync(join(dir, 'state', 'recent.json'), 'utf8'))[0]).toBe(paths[5]);
    });

    it('keeps every entry when saves race', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      const paths = Array.from({ length: 5 }, (_, i) => join(dir, `race-${i}.json`));
      await Promise.all(paths.map((p) => files.save(p, '{}')));
      expect((await files.recent()).sort()).toEqual([...paths].sort());
    });

    it('treats a damaged recent.json as empty', async () => {
      const dir = scratch();
      mkdirSync(join(dir, 'state'));
      writeFileSync(join(dir, 'state', 'recent.json'), '{not json');
      expect(await createFileService({ stateDir: join(dir, 'state') }).recent()).toEqual([]);
    });
  });

  describe('autosave and recovery', () => {
    it('round-trips the text and path, and discarding removes it', async () => {
      const dir = scratch();
      const files = createFileService({ stateDir: join(dir, 'state') });
      expect(await files.recovery()).toBeNull();
      await files.autosave('{"name":"a"}', '/labs/a.json');
      const recovered = await files.recovery();
      expect(recovered).toMatchObject({ text: '{"name":"a"}', path: '/labs/a.json' });
      expect(Number.isNaN(Date.parse(recovered!.savedAt))).toBe(false);
      expect(statSync(join(dir, 'state', 'recovery.json')).mode & 0o777).toBe(0o600);
      await files.autosave('{"name":"b"}', null);
      expect(await files.recovery()).toMatchObject({ text: '{"name":"b"}', path: null });
      await files.discardRecovery();
      expect(existsSync(join(dir, 'state', 'recovery.json'))).toBe(false);
      expect(await files.recovery()).toBeNull();
      await files.discardRecovery();
    });

    it('ignores a recovery file it cannot read', async () => {
      const dir = scratch();
      mkdirSync(join(dir, 'state'));
      writeFileSync(join(dir, 'state', 'recovery.json'), '{"text": 5}');
      expect(await createFileService({ stateDir: join(dir, 'state') }).recovery()).toBeNull();
    });
  });

  describe('resolve', () => {
    it('wants absolute paths without a workspace', () => {
      const files = createFileService({ stateDir: scratch() });
      expect(files.resolve('/labs/../labs/a.json')).toBe('/labs/a.json');
      expect(() => files.resolve('a.json')).toThrow('"a.json" is not an absolute path');
      expect(() => files.resolve('/a\0b')).toThrow('NUL');
    });

    it('resolves relative paths inside the workspace and refuses every way out', () => {
      const root = scratch();
      const workspace = join(root, 'ws');
      mkdirSync(join(workspace, 'labs'), { recursive: true });
      mkdirSync(join(root, 'secret'));
      symlinkSync(join(root, 'secret'), join(workspace, 'out'));
      symlinkSync(join(root, 'secret', 'x.json'), join(workspace, 'dangling-out.json'));
      symlinkSync(join(workspace, 'labs'), join(workspace, 'inner'));
      const files = createFileService({ stateDir: join(root, 'state'), workspace });

      expect(files.resolve('lab.json')).toBe(join(workspace, 'lab.json'));
      expect(files.resolve('labs/new/lab.json')).toBe(join(workspace, 'labs', 'new', 'lab.json'));
      expect(files.resolve(join(workspace, 'labs', 'a.json'))).toBe(join(workspace, 'labs', 'a.json'));
      expect(files.resolve('inner/a.json')).toBe(join(workspace, 'labs', 'a.json'));
      expect(files.resolve('.')).toBe(workspace);
      for (const bad of ['../x.json', 'labs/../../x.json', '/etc/passwd', join(root, 'secret', 'x.json'), 'out/x.json', 'dangling-out.json']) {
        expect(() => files.resolve(bad), bad).toThrow(`"${bad}" is outside the workspace ${workspace}`);
      }
    });

    it('applies the workspace to open, save and exports', async () => {
      const root = scratch();
      const workspace = join(root, 'ws');
      mkdirSync(workspace);
      writeFileSync(join(root, 'outside.json'), '{}');
      const files = createFileService({ stateDir: join(root, 'state'), workspace });
      await expect(files.open('../outside.json')).rejects.toThrow('outside the workspace');
      await expect(files.save('../evil.json', '{}')).rejects.toThrow('outside the workspace');
      await expect(files.writeExport('/tmp/evil.sh', 'x', 0o755)).rejects.toThrow('outside the workspace');
      expect(existsSync(join(root, 'evil.json'))).toBe(false);
      expect(await files.save('lab.json', '{}')).toEqual({ path: join(workspace, 'lab.json') });
    });

    it('says so when the workspace does not exist', () => {
      const files = createFileService({ stateDir: scratch(), workspace: '/nonexistent/nsd-ws' });
      expect(() => files.resolve('a.json')).toThrow('the workspace /nonexistent/nsd-ws does not exist');
    });
  });
});
