import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { topologyJsonSchema } from '../../src/shared/model/topology.js';
import { readExamples, SCHEMA_FILE } from '../../src/main/package-paths.js';

/** The examples as written, their `$schema` pointer included. */
function examples(): [string, unknown][] {
  return readExamples().map((e) => [`${e.id}.json`, JSON.parse(e.text) as unknown]);
}

async function compiledSchema() {
  const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return new Ajv2020({ allErrors: true, strict: false }).compile(schema);
}

describe('schema/topology.schema.json', () => {
  it('is what `npm run schema` generates from the model today', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(committed, 'schema/topology.schema.json is stale; run `npm run schema`').toBe(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
  });

  it('accepts every bundled example', async () => {
    const check = await compiledSchema();
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(6);
    for (const [file, doc] of list) {
      expect(check(doc), `${file}: ${JSON.stringify(check.errors)}`).toBe(true);
    }
  });

  type Doc = { [key: string]: unknown; nodes: { kind: string }[]; links: { a: { ifname?: string } }[] };
  it.each<{ what: string; change: (d: Doc) => void }>([
    { what: 'an unknown top-level key', change: (d) => { d.$schemas = '../../schema/topology.schema.json'; } },
    { what: 'a wrong version', change: (d) => { d.version = 2; } },
    { what: 'an unknown node kind', change: (d) => { d.nodes[0]!.kind = 'switch'; } },
    { what: 'an interface name over 15 bytes', change: (d) => { d.links[0]!.a.ifname = 'veth-much-too-long'; } },
    { what: 'a missing lab name', change: (d) => { delete d.name; } },
])('rejects $what', async ({ change }) => {
    const check = await compiledSchema();
    const [, doc] = (examples())[0]!;
    const broken = structuredClone(doc) as Doc;
    change(broken);
    expect(check(broken)).toBe(false);
  });
});
