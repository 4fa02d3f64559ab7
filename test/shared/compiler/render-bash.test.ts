import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASH_LIBRARY } from '../../../src/shared/compiler/bash-library.js';
import { compile } from '../../../src/shared/compiler/index.js';
import { shellJoin, shellQuote } from '../../../src/shared/compiler/shell.js';
import { loadExamples } from '../../support/examples.js';
import { hasTool, skipUnless } from '../../support/tools.js';

const GOLDEN = join(import.meta.dirname, '..', '..', 'fixtures', 'golden');

function scriptOf(file: string, json: unknown): string {
  const result = compile(json, { source: file });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.script;
}

describe('render-bash', () => {
  it.each(loadExamples().map((e) => [e.file, e] as const))('renders %s exactly as the golden script', (_file, e) => {
    const script = scriptOf(e.file, e.json);
    const golden = join(GOLDEN, `${e.name}.sh`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, script);
    expect(script).toBe(readFileSync(golden, 'utf8'));
  });

  it('is deterministic: the same document gives the same bytes', () => {
    for (const e of loadExamples()) expect(scriptOf(e.file, e.json)).toBe(scriptOf(e.file, structuredClone(e.json)));
  });

  it('quotes every word that is not plainly safe', () => {
    expect(shellQuote('veth-red')).toBe('veth-red');
    expect(shellQuote('red;reboot')).toBe(`'red;reboot'`);
    expect(shellQuote('$(id)')).toBe(`'$(id)'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellJoin(['ip', 'netns', 'add', 'a b'])).toBe(`ip netns add 'a b'`);
  });

  it('quotes hostile text that bypasses validation, so bash sees it as one literal word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-quote-'));
    const hostile = [`$(touch ${dir}/pwned)`, '`id`', "a'b", 'x; rm -rf /', '-rf', '\n', '*'];
    const out = spawnSync('bash', ['-c', `printf '%s\\0' ${shellJoin(hostile)}`], { encoding: 'utf8' });
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(hostile);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('keeps free text from the drawing inside comments, and in one quoted word for the record', () => {
    const json = structuredClone(loadExamples()[0]!.json) as Record<string, unknown>;
    json.title = "two rooms\nreboot\r\n# and 'more'";
    const script = scriptOf('x.json', json);
    expect(script.split('\n').filter((l) => l.includes('reboot'))).toEqual([
      `# lab.sh for the network lab "veth-pair": two rooms reboot # and 'more'`,
      `readonly NSD_LAB_TITLE='two rooms reboot # and '\\''more'\\'''`,
    ]);
  });

  it("hands a service's command to nsd_service_start as one quoted word, whatever shell it holds", () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-service-'));
    const command = `echo "$HOME" 'it'"'"'s' $(touch ${dir}/pwned) \`id\`; exit 3 # *`;
    const json = structuredClone(loadExamples()[0]!.json) as { nodes: Array<Record<string, unknown>> };
    json.nodes[0]!.services = [{ id: 'svc', command }];
    const script = scriptOf('x.json', json);
    const line = script.split('\n').find((l) => l.includes('nsd_service_start '))!;
    expect(line).toBe(`  nsd_service_started red svc >/dev/null 2>&1 || nsd_service_start red svc ${shellQuote(command)}`);
    // The line as bash runs it, with the library's functions standing in: the command arrives intact, unrun.
    const out = spawnSync('bash', ['-c', `nsd_service_started() { return 1; }\nnsd_service_start() { printf '%s\\0' "$@"; }\n${line}`], { encoding: 'utf8' });
    expect(out.stdout.split('\0').slice(0, -1)).toEqual(['red', 'svc', command]);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).toBe('');
  });

  describe.skipIf(skipUnless('shellcheck of the golden scripts', { shellcheck: hasTool('shellcheck') }))('shellcheck', () => {
    it.each(loadExamples().map((e) => [e.name] as const))('reports nothing for %s', (name) => {
      const out = spawnSync('shellcheck', ['--shell=bash', '--severity=style', join(GOLDEN, `${name}.sh`)], { encoding: 'utf8' });
      expect(out.stdout + out.stderr).toBe('');
      expect(out.status).toBe(0);
      // shellcheck reads the whole library: seconds each, more on a loaded machine.
    }, 60_000);
  });

  describe('how the script says to run it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-again-'));
    writeFileSync(join(dir, 'lab.sh'), '', { mode: 0o755 });
    writeFileSync(join(dir, 'not-executable.sh'), '', { mode: 0o644 });
    const again = /^nsd_again\(\) \{[\s\S]*?^\}$/m.exec(BASH_LIBRARY)![0];

    it.each([
      ['', 'verify', '', 'nsd verify 04-nat.json --host ...'],
      ['', 'up', '', 'nsd deploy 04-nat.json --host ...'],
      ['', 'down', '', 'nsd destroy 04-nat.json --host ...'],
      ['', 'up', '--sudo', 'nsd deploy 04-nat.json --host ... --sudo'],
      ['./lab.sh', 'verify', '', 'sudo ./lab.sh verify'],
      ['./not-executable.sh', 'verify', '', 'sudo bash ./not-executable.sh verify'],
      ['lab.sh', 'down', '--sudo', 'sudo bash lab.sh down'],
      ['my lab.sh', 'up', '', 'sudo bash my\\ lab.sh up'],
    ])('from file %j, %s %s: %s', (self, action, option, expected) => {
      const out = spawnSync('bash', ['-c', `${again}\nnsd_again "$@"`, 'bash', action, ...(option ? [option] : [])], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NSD_SELF: self, NSD_SOURCE: '04-nat.json' },
      });
      expect(out.stderr).toBe('');
      expect(out.stdout).toBe(expected);
    });

    it('knows whether it runs from a file or from standard input', () => {
      const script = scriptOf('04-nat.json', loadExamples()[3]!.json);
      const file = join(dir, 'nat.sh');
      writeFileSync(file, script);
      expect(spawnSync('bash', [file, 'explode'], { encoding: 'utf8' }).stderr).toBe(`usage: ${file} up|down|status|verify|plan|inspect|labs\n`);
      const piped = spawnSync('bash', ['-s', '--', 'explode'], { encoding: 'utf8', input: script });
      expect(piped.stderr).toBe('usage: lab.sh up|down|status|verify|plan|inspect|labs\n');
      expect(spawnSync('bash', ['-s', '--', 'help'], { encoding: 'utf8', input: script }).stdout).toBe('usage: lab.sh up|down|status|verify|plan|inspect|labs\n');
    });
  });

  it('answers usage errors with exit 2 and help with the header', () => {
    const script = scriptOf('01-veth-pair.json', loadExamples()[0]!.json);
    const dir = mkdtempSync(join(tmpdir(), 'nsd-usage-'));
    const file = join(dir, 'lab.sh');
    writeFileSync(file, script);
    const bad = spawnSync('bash', [file, 'explode'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/usage: .* up\|down\|status\|verify/);
    const help = spawnSync('bash', [file, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^lab\.sh for the network lab "veth-pair"/);
    expect(help.stdout).toContain('down    remove what up made');
  });
});
