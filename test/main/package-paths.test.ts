import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, ICON_FILE, PACKAGE_ROOT, packageVersion, readExamples, RENDERER_DIR, SCHEMA_FILE } from '../../src/main/package-paths.js';

describe('package-paths', () => {
  it('finds the package root and the files it ships', () => {
    expect(existsSync(join(PACKAGE_ROOT, 'package.json'))).toBe(true);
    expect(existsSync(EXAMPLES_DIR)).toBe(true);
    expect(existsSync(SCHEMA_FILE)).toBe(true);
    expect(existsSync(ICON_FILE)).toBe(true);
    expect(RENDERER_DIR).toBe(join(PACKAGE_ROOT, 'dist', 'renderer'));
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reads the examples in file order, with id, title, description, the text as written and the document without $schema', () => {
    const examples = readExamples();
    expect(examples.map((e) => e.id)).toEqual(['01-veth-pair', '02-bridge', '03-host-bridge', '04-nat', '05-port-forward', '06-router']);
    for (const e of examples) {
      expect(e.path).toBe(join(EXAMPLES_DIR, `${e.id}.json`));
      expect(e.title).not.toBe('');
      expect(e.text).toContain('"$schema"');
      expect(e.doc).not.toHaveProperty('$schema');
      expect(e.doc).toMatchObject({ version: 1, title: e.title });
    }
  });

  it('reads another directory, skipping files that are not .json, and falls back to the file name for a missing title', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-examples-'));
    try {
      writeFileSync(join(dir, 'b.json'), '{"version":1,"name":"b"}');
      writeFileSync(join(dir, 'a.json'), '{"version":1,"name":"a","title":"A","description":"first"}');
      writeFileSync(join(dir, 'notes.txt'), 'not an example');
      expect(readExamples(dir).map(({ id, title, description }) => ({ id, title, description }))).toEqual([
        { id: 'a', title: 'A', description: 'first' },
        { id: 'b', title: 'b.json', description: '' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
