import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/main.js';
import { EXAMPLES_DIR } from '../../src/main/package-paths.js';
import { runNsd } from '../support/cli.js';
import { topologyJsonSchema } from '../../src/shared/model/topology.js';
import { EXIT } from '../../src/shared/exit-codes.js';
import { renderPlain } from '../../src/shared/compiler/render-plain.js';
import { compileExample } from '../support/examples.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the real CLI the way `npm run nsd` does: a separate Node process through tsx. */
function spawnNsd(argv: string[], input = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = execFile('npx', ['tsx', 'src/cli/nsd.ts', ...argv], { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (code === -1) reject(error!);
      else resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs nsd in-process against the real file system, capturing its output. */
const nsd = (...argv: string[]): Promise<Outcome> => runNsd(argv);

const example = (name: string): string => join(EXAMPLES_DIR, `${name}.json`);

/** A valid two-namespace document to break in small ways. */
const vethPair = {
  version: 1,
  name: 'pair',
  nodes: [
    { id: 'red', kind: 'namespace' },
    { id: 'blue', kind: 'namespace' },
  ],
  links: [{ id: 'red-blue', a: { node: 'red', addresses: ['10.0.0.1/24'] }, b: { node: 'blue', addresses: ['10.0.0.2/24'] } }],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nsd-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeDoc(name: string, doc: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

describe('nsd', () => {
  describe('usage', () => {
    it('prints help on --help and help, exit 0', async () => {
      for (const argv of [['--help'], ['-h'], ['help'], ['compile', '--help']]) {
        const r = await nsd(...argv);
        expect(r.code, argv.join(' ')).toBe(EXIT.ok);
        expect(r.stdout).toBe(HELP);
      }
    });

    it('prints the package version on --version', async () => {
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = await nsd(flag);
        expect(r).toEqual({ code: EXIT.ok, stdout: `${pkg.version}\n`, stderr: '' });
      }
    });

    it.each([
      { argv: [], says: 'no command' },
      { argv: ['frobnicate'], says: 'unknown command "frobnicate"' },
      { argv: ['validate'], says: 'needs a FILE' },
      { argv: ['compile'], says: 'needs a FILE' },
      { argv: ['compile', 'a.json', '--bogus'], says: "'--bogus'" },
      { argv: ['validate', 'a.json', 'b.json'], says: 'unexpected "b.json"' },
      { argv: ['validate', 'a.json', '-o', 'x.sh'], says: '"validate" does not take --output' },
      { argv: ['schema', 'extra'], says: 'takes no arguments' },
      { argv: ['compile', 'a.json', '-o'], says: "'-o, --output <value>' argument missing" },
      { argv: ['destroy', '--host', 'h'], says: '"destroy" needs a FILE argument (or --lab NAME)' },
      { argv: ['destroy', 'a.json', '--lab', 'nat', '--host', 'h'], says: '"destroy" takes a FILE or --lab NAME, not both' },
      { argv: ['destroy', '--lab', '', '--host', 'h'], says: '--lab needs a lab name' },
      { argv: ['deploy', 'a.json', '--lab', 'nat', '--host', 'h'], says: '"deploy" does not take --lab' },
      { argv: ['plan', '--host', 'h'], says: '"plan" needs a FILE argument' },
      { argv: ['labs', 'a.json', '--host', 'h'], says: '"labs" takes no arguments; unexpected "a.json"' },
      { argv: ['labs'], says: '"labs" needs --host' },
      { argv: ['exec', 'a.json', 'red', '--host', 'h'], says: '"exec" needs a command after "--"' },
      { argv: ['exec', 'a.json', 'red', 'ls', '--host', 'h', '--', 'ls'], says: '"exec" takes the command after "--"; unexpected "ls"' },
      { argv: ['exec', 'a.json', '--host', 'h', '--', 'ls'], says: '"exec" needs a NODE after FILE' },
      { argv: ['exec', 'a.json', 'red', '--', 'ls'], says: '"exec" needs --host' },
      { argv: ['shell', 'a.json', 'red', 'blue', '--host', 'h'], says: '"shell" takes FILE and NODE; unexpected "blue"' },
      { argv: ['shell', 'a.json', 'red', '--host', 'h', '--', 'ls'], says: '"shell" takes nothing after "--"' },
      { argv: ['capture', 'a.json', '--host', 'h'], says: '"capture" needs a LINK' },
      { argv: ['capture', 'a.json', 'l', '--host', 'h', '-c', '0'], says: '-c takes a number of packets' },
      { argv: ['compile', 'a.json', '-c', '3'], says: '"compile" does not take --count' },
    ])('exits 2 with a message for $argv', async ({ argv, says }) => {
      const r = await nsd(...argv);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(says);
      expect(r.stderr).toContain('nsd --help');
    });

    it('exits 2 naming the file when it cannot be read', async () => {
      for (const cmd of ['validate', 'compile']) {
        const missing = join(dir, 'missing.json');
        const r = await nsd(cmd, missing);
        expect(r.code).toBe(EXIT.usage);
        expect(r.stderr).toBe(`nsd: cannot read ${missing}: no such file\n`);
        const r2 = await nsd(cmd, dir);
        expect(r2.code).toBe(EXIT.usage);
        expect(r2.stderr).toContain('is a directory');
      }
    });

    it('reports a file that is not UTF-8 as a problem of the document, naming line, column and byte offset (exit 1)', async () => {
      const path = join(dir, 'latin1.json');
      await writeFile(path, Buffer.concat([Buffer.from('{"version": 1,\n "name": "pair", "title": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
      for (const cmd of ['validate', 'compile']) {
        const r = await nsd(cmd, path);
        expect(r.code).toBe(EXIT.problems);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`${path}: document: error: the file is not valid UTF-8: byte 0xe9 at line 2, column 31 (byte offset 45) starts no character; save the file as UTF-8\n`);
      }
      const json = await nsd('validate', path, '--json');
      expect(json.code).toBe(EXIT.problems);
      expect((JSON.parse(json.stdout) as { ok: boolean; problems: { message: string }[] }).problems[0]!.message).toMatch(/not valid UTF-8: byte 0xe9 at line 2, column 31/);
    });
  });

  describe('validate', () => {
    it('accepts every bundled example silently', async () => {
      const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json'));
      expect(files.length).toBeGreaterThanOrEqual(6);
      for (const f of files) {
        const r = await nsd('validate', join(EXAMPLES_DIR, f));
        expect(r, f).toEqual({ code: EXIT.ok, stdout: '', stderr: '' });
      }
    });

    it('exits 1 and prints FILE: ELEMENT.FIELD: error: message for a broken document', async () => {
      const bad = structuredClone(vethPair);
      bad.links[0]!.b.addresses = ['10.0.0.300/24'];
      const path = await writeDoc('bad-address.json', bad);
      const r = await nsd('validate', path);
      expect(r.code).toBe(EXIT.problems);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.startsWith(`${path}: `), line).toBe(true);
      expect(r.stderr).toMatch(/: error: /);
      expect(r.stderr).toContain(`${path}: red-blue.b.addresses[0]: error: `);
    });

    it('exits 1 when the file is not JSON', async () => {
      const path = await writeDoc('not-json.json', '{ "version": 1, ');
      const r = await nsd('validate', path);
      expect(r.code).toBe(EXIT.problems);
      expect(r.stderr).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*error: `));
    });

    it('prints {ok, problems} on --json', async () => {
      const bad = structuredClone(vethPair);
      bad.nodes.push({ id: 'red', kind: 'namespace' });
      const path = await writeDoc('dup.json', bad);
      const r = await nsd('validate', path, '--json');
      expect(r.code).toBe(EXIT.problems);
      const out = JSON.parse(r.stdout) as { ok: boolean; file: string; problems: { severity: string; element: string | null; path: string; message: string }[] };
      expect(out.ok).toBe(false);
      expect(out.file).toBe(path);
      expect(out.problems.some((p) => p.severity === 'error' && p.element === 'red')).toBe(true);

      const good = await nsd('validate', example('01-veth-pair'), '--json');
      expect(good.code).toBe(EXIT.ok);
      expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, problems: [] });
    });
  });

  describe('warnings', () => {
    it('prints warnings on stderr but exits 0, for validate and compile', async () => {
      const doc = JSON.parse(await readFile(example('04-nat'), 'utf8')) as { nat: { masquerade: { out: string }[] } };
      doc.nat.masquerade[0]!.out = 'eth9';
      const path = await writeDoc('warning.json', doc);
      const expected = `${path}: masq-vnet0.out: warning: `;

      const v = await nsd('validate', path);
      expect(v.code).toBe(EXIT.ok);
      expect(v.stderr.startsWith(expected)).toBe(true);

      const c = await nsd('compile', path, '--json');
      expect(c.code).toBe(EXIT.ok);
      expect(c.stderr.startsWith(expected)).toBe(true);
      const out = JSON.parse(c.stdout) as { ok: boolean; problems: { severity: string }[]; script: string };
      expect(out.ok).toBe(true);
      expect(out.problems.map((p) => p.severity)).toEqual(['warning']);
      expect(out.script.startsWith('#!')).toBe(true);
    });
  });

  describe('compile', () => {
    it('writes the script to stdout without -o', async () => {
      const r = await nsd('compile', example('02-bridge'));
      expect(r.code).toBe(EXIT.ok);
      expect(r.stderr).toBe('');
      expect(r.stdout.startsWith('#!')).toBe(true);
      expect(r.stdout).toContain('vnet0');
    });

    it('writes the plain commands with --plain (stdout, -o and --json alike), lab.sh without it', async () => {
      const c = compileExample('02-bridge');
      const plain = renderPlain(c.plan, { up: c.up, down: c.down, source: '02-bridge.json' });
      const r = await nsd('compile', example('02-bridge'), '--plain');
      expect(r).toEqual({ code: EXIT.ok, stdout: plain, stderr: '' });
      expect((await nsd('compile', example('02-bridge'))).stdout).toBe(c.script);
      const out = join(dir, 'plain.sh');
      expect((await nsd('compile', example('02-bridge'), '--plain', '-o', out)).code).toBe(EXIT.ok);
      expect(await readFile(out, 'utf8')).toBe(plain);
      const json = JSON.parse((await nsd('compile', example('02-bridge'), '--plain', '--json')).stdout) as { script: string };
      expect(json.script).toBe(plain);
      expect((await nsd('validate', example('02-bridge'), '--plain')).code).toBe(EXIT.usage);
    });

    it('writes an executable file with -o, also over an existing non-executable one', async () => {
      const out = join(dir, 'lab.sh');
      await writeFile(out, 'old', { mode: 0o644 });
      const r = await nsd('compile', example('04-nat'), '-o', out);
      expect(r).toEqual({ code: EXIT.ok, stdout: '', stderr: '' });
      expect((await stat(out)).mode & 0o777).toBe(0o755);
      const toStdout = await nsd('compile', example('04-nat'));
      expect(await readFile(out, 'utf8')).toBe(toStdout.stdout);
    });

    it('exits 1 with problems and writes nothing for a broken document', async () => {
      const bad = structuredClone(vethPair);
      bad.links[0]!.b.node = 'nowhere';
      const path = await writeDoc('dangling.json', bad);
      const out = join(dir, 'never.sh');
      const r = await nsd('compile', path, '-o', out);
      expect(r.code).toBe(EXIT.problems);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`: error: `));
      await expect(stat(out)).rejects.toThrow();
    });

    it('exits 2 when the output cannot be written', async () => {
      const r = await nsd('compile', example('01-veth-pair'), '-o', join(dir, 'no-such-dir', 'lab.sh'));
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toContain('cannot write');
    });

    it('prints {ok, problems, script} on --json', async () => {
      const r = await nsd('compile', example('01-veth-pair'), '--json');
      expect(r.code).toBe(EXIT.ok);
      const out = JSON.parse(r.stdout) as { ok: boolean; problems: unknown[]; script: string };
      expect(out.ok).toBe(true);
      expect(out.problems).toEqual([]);
      expect(out.script).toBe((await nsd('compile', example('01-veth-pair'))).stdout);

      const path = await writeDoc('not-json-2.json', 'nope');
      const bad = await nsd('compile', path, '--json');
      expect(bad.code).toBe(EXIT.problems);
      const badOut = JSON.parse(bad.stdout) as { ok: boolean; problems: unknown[]; script?: string };
      expect(badOut.ok).toBe(false);
      expect(badOut.problems.length).toBeGreaterThan(0);
      expect(badOut.script).toBeUndefined();
    });
  });

  describe('schema and examples', () => {
    it('prints the JSON Schema of the document', async () => {
      const r = await nsd('schema');
      expect(r.code).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toEqual(topologyJsonSchema());
    });

    it('lists every bundled example with its title', async () => {
      const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json')).sort();
      const r = await nsd('examples');
      expect(r.code).toBe(EXIT.ok);
      for (const f of files) {
        const doc = JSON.parse(await readFile(join(EXAMPLES_DIR, f), 'utf8')) as { title: string };
        expect(r.stdout).toMatch(new RegExp(`^${f.replace('.json', '')} +${doc.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      }
      const json = JSON.parse((await nsd('examples', '--json')).stdout) as { name: string; path: string }[];
      expect(json.map((e) => `${e.name}.json`)).toEqual(files);
      expect(json[0]!.path).toBe(join(EXAMPLES_DIR, files[0]!));
    });
  });

  describe('as a process', () => {
    it('runs through tsx, reads "-" from stdin and sets the exit code', async () => {
      const ok = await spawnNsd(['validate', 'assets/examples/06-router.json']);
      expect(ok).toEqual({ code: EXIT.ok, stdout: '', stderr: '' });

      const compiled = await spawnNsd(['compile', '-'], JSON.stringify(vethPair));
      expect(compiled.code).toBe(EXIT.ok);
      expect(compiled.stdout.startsWith('#!')).toBe(true);

      const broken = await spawnNsd(['validate', '-'], '{}');
      expect(broken.code).toBe(EXIT.problems);
      expect(broken.stderr).toMatch(/^<stdin>: /);
    }, 60_000);
  });
});
