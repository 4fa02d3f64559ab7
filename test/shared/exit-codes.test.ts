import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANINGS, EXIT_OF_LAB_SH_STATUS, LAB_SH_STATUS } from '../../src/shared/exit-codes.js';
import { HELP } from '../../src/cli/main.js';
import { compileExample } from '../support/examples.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the README's "Exit codes" table. */
function readmeTable(): [number, string][] {
  const section = README.slice(README.indexOf('### Exit codes'));
  const table = section.slice(section.indexOf('| code | meaning |'), section.indexOf('\n\n', section.indexOf('| code | meaning |')));
  return [...table.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]!]);
}

describe('exit-codes', () => {
  it('gives every code one meaning, in code order, and every name a distinct code', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT_MEANINGS.map(([code]) => code)).toEqual([...codes].sort((a, b) => a - b));
  });

  it('is what the README lists, and what nsd --help prints', () => {
    expect(readmeTable()).toEqual(EXIT_MEANINGS.map(([code, meaning]) => [code, meaning]));
    for (const [code, meaning] of EXIT_MEANINGS) expect(HELP).toContain(`${String(code).padStart(3)}  ${meaning}\n`);
  });

  it("matches the README's lab.sh status codes and nsd lab status comment", () => {
    const row = README.split('\n').find((l) => l.startsWith('| `status` | lists every part of the lab as present or missing'));
    expect(row).toMatch(new RegExp(` \\| ${LAB_SH_STATUS.up} up, ${LAB_SH_STATUS.partlyUp} partly up, ${LAB_SH_STATUS.down} down \\|$`));
    expect(README).toContain(`sudo npx nsd lab status     # ${EXIT.ok} healthy, ${EXIT.partlyUp} partly up, ${EXIT.down} down`);
    expect(EXIT_OF_LAB_SH_STATUS).toEqual({ [LAB_SH_STATUS.up]: EXIT.ok, [LAB_SH_STATUS.partlyUp]: EXIT.partlyUp, [LAB_SH_STATUS.down]: EXIT.down });
  });

  it("is what lab.sh's status returns", () => {
    const script = compileExample('01-veth-pair').script;
    const status = script.slice(script.indexOf('nsd_status() {'), script.indexOf('\n}\n', script.indexOf('nsd_status() {')));
    expect([...status.matchAll(/return (\d+)/g)].map((m) => Number(m[1])).sort()).toEqual([LAB_SH_STATUS.partlyUp, LAB_SH_STATUS.down].sort());
  });
});
