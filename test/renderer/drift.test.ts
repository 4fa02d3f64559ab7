import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { driftOnDrawing, inspectOfRun, servicesOnDrawing } from '../../src/renderer/state/drift.js';
import { startRun, runReducer } from '../../src/renderer/state/run.js';
import { loadExample } from '../support/examples.js';
import type { Doc } from '../../src/shared/document/commands.js';

const FIXTURE = readFileSync(new URL('../fixtures/inspect/port-forward-up.json', import.meta.url), 'utf8');

function inspectRun(text: string, ok = true) {
  let v = startRun('r1', 'inspect', 'lab', 0);
  v = runReducer(v, { type: 'output', at: 1, stream: 'stdout', line: text });
  return runReducer(v, { type: 'finished', at: 2, action: 'inspect', ok, exitCode: ok ? 0 : 1, durationMs: 1 });
}

describe('inspectOfRun', () => {
  it('reads the report of a finished inspect run, and nothing else', () => {
    expect(inspectOfRun(inspectRun(FIXTURE))!.lab).toBe('port-forward');
    expect(inspectOfRun(inspectRun(FIXTURE, false))).toBeNull();
    expect(inspectOfRun(inspectRun('not json'))).toBeNull();
    expect(inspectOfRun({ ...inspectRun(FIXTURE), action: 'verify' })).toBeNull();
  });
});

describe('driftOnDrawing', () => {
  it('paints the elements of this drawing and gives the diagnosis the links that are down', () => {
    const report = inspectOfRun(inspectRun(FIXTURE))!;
    const red = report.namespaces.find((n) => n.name === 'red')!.links.find((l) => l.ifname === 'veth-red')!;
    red.flags = red.flags.filter((f) => f !== 'UP');
    report.extra.push({ line: 'netns gone', element: 'gone', state: 'present', note: '' });
    const { drift, live } = driftOnDrawing(report, loadExample('05-port-forward') as Doc);
    expect([...drift.keys()]).toEqual(['red-vnet0']);
    expect(live.downLinks).toEqual([{ link: 'red-vnet0', nodes: ['red', 'vnet0'], why: 'veth-red in red is set down' }]);
  });
});

describe('servicesOnDrawing', () => {
  it("puts each service inspect saw on the node of its namespace, by the namespace's name, and drops the drawing's strangers", () => {
    const report = inspectOfRun(inspectRun(FIXTURE))!;
    const web = { netns: 'azure', id: 'web', state: 'running' as const, pid: 42, exit: null, tail: '' };
    report.services = [web, { ...web, netns: 'gone', id: 'old' }];
    const doc = loadExample('05-port-forward') as Doc;
    const blue = doc.nodes!.find((n) => n.id === 'blue')!;
    if (blue.kind === 'namespace') blue.name = 'azure';
    expect([...servicesOnDrawing(report, doc)]).toEqual([['blue', [web]]]);
    expect(driftOnDrawing(report, doc).services.get('blue')).toEqual([web]);
  });
});
