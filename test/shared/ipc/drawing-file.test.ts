import { describe, expect, it } from 'vitest';
import { drawingFile, requests, UNSAVED_DRAWING } from '../../../src/shared/ipc/contract.js';
import { compile } from '../../../src/shared/compiler/index.js';
import { loadExample } from '../../support/examples.js';

describe('the drawing file a run or an export names', () => {
  it.each([
    ['/home/ada/labs/nat.json', 'nat.json'],
    ['C:\\Users\\ada\\labs\\nat lab.json', 'nat lab.json'],
    ['nat.json', 'nat.json'],
    ['/home/ada/two\nlines\u001b[31m.json', 'two?lines?[31m.json'],
    [null, undefined],
    ['/home/ada/labs/', undefined],
  ])('of %j is %j', (path, name) => {
    expect(drawingFile(path)).toBe(name);
  });

  it('passes the schema of the run for every name drawingFile gives', () => {
    const payload = requests['run:start'].payload;
    for (const path of ['/home/ada/labs/nat.json', 'C:\\Users\\ada\\nat lab.json', '/tmp/ünïcödé lab.json', '/tmp/a\nb.json', `/tmp/${'x'.repeat(300)}`]) {
      expect(payload.safeParse({ doc: {}, target: { kind: 'lab' }, action: 'up', source: drawingFile(path) }).success, path).toBe(true);
    }
  });

  it('is what lab.sh records for the drawing, on one line even when a caller passes more', () => {
    const doc = loadExample('04-nat');
    const named = compile(doc, { source: 'nat.json' });
    const unsaved = compile(doc, { source: UNSAVED_DRAWING });
    const twoLines = compile(doc, { source: 'nat.json\nstate=up' });
    if (!named.ok || !unsaved.ok || !twoLines.ok) throw new Error('04-nat does not compile');
    expect(named.script).toContain("readonly NSD_SOURCE=nat.json\n");
    expect(unsaved.script).toContain("readonly NSD_SOURCE='an unsaved drawing'\n");
    expect(twoLines.script).toContain("readonly NSD_SOURCE='nat.json state=up'\n");
  });
});
