import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASH_LIBRARY } from '../../../src/shared/compiler/bash-library.js';
import { compile, renderScript } from '../../../src/shared/compiler/index.js';
import { shellJoin, shellQuote } from '../../../src/shared/compiler/shell.js';
import { loadExamples } from '../../support/examples.js';
import { bridgedLab } from '../../support/scale-lab.js';
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

  it('keeps up and down small functions of step tables at any size (bash crashed on one unrolled block per step)', () => {
    const doc = bridgedLab(1000);
    for (const node of doc.nodes ?? []) if (node.kind === 'namespace') node.dns = ['192.0.2.53'];
    const c = compile(doc);
    if (!c.ok) throw new Error(c.problems[0]?.message);
    for (const fn of ['nsd_up', 'nsd_down']) {
      const body = new RegExp(`^${fn}\\(\\) \\{\\n([\\s\\S]*?)^\\}$`, 'm').exec(c.script)![1]!;
      // The lines bash parses as commands: everything outside the here-documents.
      const code = body.replace(/<<'NSD_TABLE'\n[\s\S]*?^NSD_TABLE$/gm, '').split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      expect(code.length, `${fn}:\n${code.slice(0, 20).join('\n')}`).toBeLessThan(20);
    }
    // DNS files are data too: one mkdir for every directory, the files written by bash's printf.
    expect(c.script).toMatch(/^dir \/etc\/netns\/ns1000\nwrite printf 'nameserver %s\\n' 192\.0\.2\.53 >\/etc\/netns\/ns1000\/resolv\.conf$/m);
    expect(c.script).not.toMatch(/^run mkdir/m);
  });

  it('keeps every step and probe of a script of many chunks, each once and in order (the text is joined in chunks of 64 kB)', () => {
    const c = compile(bridgedLab(1000));
    if (!c.ok) throw new Error(c.problems[0]?.message);
    expect(c.script.length).toBeGreaterThan(16 * 64 * 1024);
    const body = /^nsd_up\(\) \{\n([\s\S]*?)^\}$/m.exec(c.script)![1]!;
    // Every step of this lab runs as data: it opens with a `step ELEMENT TITLE` line in a table.
    const opened = [...body.matchAll(/^step (\S+) (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(opened).toEqual(c.up.map((s) => `${s.element ?? '-'} ${s.title}`));
    expect(body).toContain(`NSD_TOTAL=${c.up.length}\n`);
    // The probe table: one line per probe, its number third (after its cost and its quoted namespaces), each number once.
    const table = /nsd_queue_table <<'NSD_TABLE'\n([\s\S]*?)\nNSD_TABLE$/m.exec(c.script)![1]!.split('\n');
    expect(table.map((line) => Number(/^\d+ (?:'[^']*'|\S+) (\d+) /.exec(line)?.[1])).sort((a, b) => a - b)).toEqual(c.probes.map((_, i) => i + 1));
  });

  it("makes a table's directories in one mkdir, writes its files, and is back at the table's last step afterwards", () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsd-table-'));
    const fn = (name: string) => new RegExp(`^${name}\\(\\) \\{[\\s\\S]*?^\\}$`, 'm').exec(BASH_LIBRARY)![0];
    const script = [
      'set -euo pipefail',
      ...['nsd_event', 'nsd_table', 'nsd_table_at', 'nsd_steps'].map(fn),
      // ip and mkdir log what they are asked; the host's batch succeeds.
      'ip() { echo "ip $*" >>"$D.log"; cat >/dev/null; }',
      'mkdir() { echo "mkdir $*" >>"$D.log"; command mkdir "$@"; }',
      'D=$1 NSD_STATE=$1 NSD_STEP=0 NSD_TOTAL=3 NSD_TABLE_PHASE=() NSD_TABLE_ELEMENT=() NSD_TABLE_TITLE=() NSD_RECORDED=()',
      'nsd_table <<NSD_TABLE',
      'phase namespaces',
      'step red DNS for red',
      'dir $1/red',
      "write printf 'nameserver %s\\n' 192.0.2.53 >$1/red/resolv.conf",
      'step blue DNS for blue',
      'dir $1/blue',
      "write printf 'nameserver %s\\n' 192.0.2.54 >$1/blue/resolv.conf",
      'phase links',
      'step vnet0 bridge vnet0',
      'ip link add vnet0 type bridge',
      'NSD_TABLE',
      'echo "at $NSD_STEP $NSD_PHASE $NSD_ELEMENT $NSD_TITLE"',
      'cat "$1/red/resolv.conf" "$1/blue/resolv.conf" "$1.log"',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script, '_', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.split('\n').filter((l) => !l.startsWith('['));
    expect(out.filter(Boolean)).toEqual(['at 3 links vnet0 bridge vnet0', 'nameserver 192.0.2.53', 'nameserver 192.0.2.54', `mkdir -p ${dir}/red ${dir}/blue`, 'ip -force -batch -']);
  });

  it("runs a table's IPv6 settings (ip6 lines) only where the kernel has IPv6, and nsd_ipv6 runs one the same way", () => {
    const fn = (name: string) => new RegExp(`^${name}\\(\\) \\{[\\s\\S]*?^\\}$`, 'm').exec(BASH_LIBRARY)![0];
    const nsdIpv6 = /^nsd_ipv6\(\) \{.*\}$/m.exec(BASH_LIBRARY)![0];
    const batches = (hasIpv6: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'nsd-table6-'));
      const script = [
        'set -euo pipefail',
        ...['nsd_event', 'nsd_table', 'nsd_table_at', 'nsd_steps'].map(fn),
        nsdIpv6,
        // The kernel's IPv6, as the test says; ip logs its batches.
        `nsd_has_ipv6() { return ${hasIpv6 ? 0 : 1}; }`,
        'ip() { echo "ip $*"; cat; }',
        'NSD_STEP=0 NSD_TOTAL=1 NSD_TABLE_PHASE=() NSD_TABLE_ELEMENT=() NSD_TABLE_TITLE=() NSD_RECORDED=() NSD_STATE=$1',
        'nsd_table <<NSD_TABLE',
        'phase bridges',
        'step vnet0 bridge vnet0',
        'make ip link add vnet0 type bridge',
        'ip link set vnet0 alias nsd:t',
        'ip6 link set vnet0 addrgenmode none',
        'NSD_TABLE',
        'nsd_ipv6 echo "nsd_ipv6 ran"',
      ].join('\n');
      try {
        const r = spawnSync('bash', ['-c', script, '_', dir], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('['));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    expect(batches(true)).toEqual(['ip -force -batch -', 'link add vnet0 type bridge', 'link set vnet0 alias nsd:t', 'link set vnet0 addrgenmode none', 'nsd_ipv6 ran']);
    expect(batches(false)).toEqual(['ip -force -batch -', 'link add vnet0 type bridge', 'link set vnet0 alias nsd:t']);
  });

  it('runs an IPv6 setting of a step that cannot be a table line under nsd_ipv6 too, in its commands as in its after-commands', () => {
    const c = compile(loadExamples()[0]!.json);
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    // A line break in a word keeps a step out of the tables: it is written as commands of its own.
    const setting = { argv: ['sysctl', '-w', 'x.y=1\n'], ipv6: true as const };
    const odd = { id: 'up/odd', phase: 'up' as const, element: null, title: 'an odd step', commands: [setting], after: [setting] };
    const script = renderScript(c.plan, c.probes, { up: [...c.up, odd], down: c.down });
    const line = `  nsd_ipv6 ${shellJoin(setting.argv)}\n`;
    // Its title stays a line of a run table (its records would too), its commands follow as bash.
    expect(script).toContain(`step - an odd step\nNSD_TABLE\n${line}${line}`);
  });

  it("reads back what up records and each record's element from up's own tables (nsd_want_read), a step that cannot be a table line included", () => {
    const cases = loadExamples().map((e) => e.json);
    const odd = { id: 'up/odd', phase: 'up' as const, element: 'red', title: 'an odd step', records: [['sysctl', 'red', 'x.y']], commands: [{ argv: ['sysctl', '-w', 'x.y=1\n'] }] };
    for (const json of cases) {
      const c = compile(json);
      if (!c.ok) throw new Error(JSON.stringify(c.problems));
      for (const up of [c.up, [...c.up, odd]]) {
        const script = renderScript(c.plan, c.probes, { up, down: c.down });
        const fn = (name: string) => new RegExp(`^${name}\\(\\) \\{[\\s\\S]*?^\\}$`, 'm').exec(script)![0];
        const r = spawnSync('bash', ['-c', ['set -euo pipefail', fn('nsd_up'), fn('nsd_want_read'), 'NSD_WANT_READ=0', 'nsd_want_read', `printf '%s\\n' "\${NSD_WANT[@]}"`].join('\n')], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        // Each record line with its step's element, as the record has them.
        const want = up.flatMap((s) => (s.records ?? []).map((words) => `${words.join(' ')}\t${s.element ?? 'lab'}\n`));
        expect(want.length).toBeGreaterThan(0);
        expect(r.stdout).toBe(want.join(''));
      }
    }
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
    // The service's step in its run table: its title, record, check and start, as lab.sh reads them.
    const lines = script.split('\n');
    const at = lines.findIndex((l) => l.startsWith('step red service svc '));
    const table = lines.slice(at, at + 4);
    // ... inside a quoted here-document, so bash expands nothing in it.
    const opener = lines.slice(0, at).findLastIndex((l) => /<< *'?NSD_TABLE'?$/.test(l));
    expect(lines[opener]).toMatch(/<<'NSD_TABLE'$/);
    expect(lines.slice(opener + 1, at)).not.toContain('NSD_TABLE');
    expect(table.slice(2)).toEqual(['unless nsd_service_started red svc', `run nsd_service_start red svc ${shellQuote(command)}`]);
    // The table through the script's own nsd_run_table, with the library's other functions standing
    // in: the command arrives intact as one word, and nothing of it ran (not even from the title).
    const start = script.indexOf('nsd_run_table() {');
    const runTable = script.slice(start, script.indexOf('\n}\n', start) + 3);
    const stubs = "nsd_step() { :; }\nnsd_record() { :; }\nnsd_service_started() { return 1; }\nnsd_service_start() { printf '%s\\0' \"$@\"; }\n";
    const out = spawnSync('bash', ['-c', `${stubs}${runTable}nsd_run_table <<'NSD_TABLE'\n${table.join('\n')}\nNSD_TABLE\n`], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
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
