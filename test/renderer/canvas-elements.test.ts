import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/shared/document/commands.js';
import type { ProbeResult } from '../../src/shared/deploy/events.js';
import { canvasElements } from '../../src/renderer/canvas/elements.js';
import { drawingSvg } from '../../src/renderer/export/svg.js';
import { validate } from '../../src/shared/compiler/validate/index.js';
import { loadExample } from '../support/examples.js';

const bridge = (): Doc => loadExample('02-bridge') as Doc;
const none = { problems: [], probes: [], failedElement: null };

describe('canvas elements', () => {
  it('draws every node with its addresses and every link with its interface names', () => {
    const { nodes, edges } = canvasElements(bridge(), none);
    expect(nodes.map((n) => n.id)).toEqual(['vnet0', 'red', 'blue', 'green']);
    expect(nodes.find((n) => n.id === 'red')?.label).toBe('red\n192.168.15.1/24');
    expect(nodes.find((n) => n.id === 'vnet0')?.kind).toBe('bridge');
    expect(edges).toHaveLength(3);
    expect(edges.every((e) => e.classes.length === 0)).toBe(true);
  });

  it('marks the elements the validator complains about, with the message as tooltip', () => {
    const doc = bridge();
    doc.links![1]!.a.addresses = ['192.168.15.1/24'];
    const v = validate(doc);
    if (v.ok) throw new Error('expected a problem');
    const { edges } = canvasElements(doc, { ...none, problems: v.problems });
    const bad = edges.find((e) => e.classes.includes('invalid'));
    expect(bad?.id).toBe(doc.links![1]!.id);
    expect(bad?.tooltip).toMatch(/^error: address 192\.168\.15\.1\/24 is already used/);
  });

  it('paints probe results on the source node and the direct link, with the cause of a failure', () => {
    const doc = loadExample('01-veth-pair') as Doc;
    const probes: ProbeResult[] = [
      { id: 'red->blue', from: 'red', to: 'blue', kind: 'ping', address: '192.168.15.2', expect: 'reachable', observed: 'reachable', result: 'pass', latencyMs: 0.1 },
      { id: 'blue->red', from: 'blue', to: 'red', kind: 'ping', address: '192.168.15.1', expect: 'reachable', observed: 'unreachable', result: 'fail', cause: 'no answer: no route' },
    ];
    const { nodes, edges } = canvasElements(doc, { ...none, probes });
    expect(nodes.find((n) => n.id === 'red')?.classes).toEqual(['probe-pass']);
    expect(nodes.find((n) => n.id === 'blue')?.classes).toEqual(['probe-fail']);
    expect(nodes.find((n) => n.id === 'blue')?.tooltip).toBe('probe blue->red: blue → red (ping) expected reachable, observed unreachable: no answer: no route');
    expect(edges[0]?.classes).toEqual(['probe-fail']);
  });

  it('draws notes as note nodes with their text', () => {
    const doc: Doc = { ...bridge(), notes: [{ id: 'note1', text: 'the tutorial, step 5', position: { x: 1, y: 2 } }] };
    const { nodes } = canvasElements(doc, none);
    expect(nodes.at(-1)).toEqual({ id: 'note1', label: 'the tutorial, step 5', kind: 'note', position: { x: 1, y: 2 }, classes: [], tooltip: '' });
  });

  it('marks the element of the failing step', () => {
    const { nodes } = canvasElements(bridge(), { ...none, failedElement: 'vnet0' });
    expect(nodes.find((n) => n.id === 'vnet0')?.classes).toEqual(['step-failed']);
  });
});

describe('svg export', () => {
  it('draws each node and link, escaping labels', () => {
    const doc = bridge();
    doc.nodes![1]!.id = 'r<&>';
    doc.links![0]!.a.node = 'r<&>';
    const { nodes, edges } = canvasElements(doc, none);
    const svg = drawingSvg(nodes, edges);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg).toContain('>r&lt;&amp;&gt;</text>');
    expect(svg.match(/<line /g)).toHaveLength(3);
    expect(svg.match(/<rect [^>]*rx="6"/g)).toHaveLength(4);
  });
});
