import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/shared/document/commands.js';
import type { ProbeResult } from '../../src/shared/deploy/events.js';
import { canvasElements } from '../../src/renderer/canvas/elements.js';
import { drawingSvg, END_LABEL_OFFSET } from '../../src/renderer/export/svg.js';
import { validate } from '../../src/shared/compiler/validate/index.js';
import { loadExample } from '../support/examples.js';

const bridge = (): Doc => loadExample('02-bridge') as Doc;
const none = { problems: [], probes: [], failedElement: null };

describe('canvas elements', () => {
  it('draws every node with its name, each address at its end of the cable, and the interface names on the cable', () => {
    const { nodes, edges } = canvasElements(bridge(), none);
    expect(nodes.map((n) => n.id)).toEqual(['vnet0', 'red', 'blue', 'green']);
    expect(nodes.find((n) => n.id === 'red')?.label).toBe('red');
    expect(nodes.find((n) => n.id === 'vnet0')?.kind).toBe('bridge');
    expect(edges).toHaveLength(3);
    const red = edges.find((e) => e.source === 'red' || e.target === 'red')!;
    const [redEnd, bridgeEnd] = red.source === 'red' ? [red.sourceLabel, red.targetLabel] : [red.targetLabel, red.sourceLabel];
    expect(redEnd).toBe('192.168.15.1/24');
    expect(bridgeEnd).toBe('');
    // The generated names, as the script names them.
    expect(red.label).toBe('veth-red ↔ veth-red-br');
    expect(red.tooltip).toBe('red veth-red 192.168.15.1/24 ↔ vnet0 veth-red-br');
    expect(edges.every((e) => e.classes.length === 0)).toBe(true);
  });

  it('badges an impaired link with its figures, always drawn (class impaired), both ways when its ends differ', () => {
    const doc = bridge();
    doc.links![0]!.netem = { delayMs: 50, lossPercent: 1 };
    doc.links![1]!.a.netem = { rateMbit: 10 };
    const { edges } = canvasElements(doc, none);
    const [first, second, third] = [edges.find((e) => e.id === doc.links![0]!.id)!, edges.find((e) => e.id === doc.links![1]!.id)!, edges.find((e) => e.id === doc.links![2]!.id)!];
    expect(first.badge).toBe('50 ms, 1 %');
    expect(first.classes).toContain('impaired');
    expect(first.label).toBe('veth-red ↔ veth-red-br\n50 ms, 1 %');
    expect(second.badge).toBe('→ 10 Mbit/s');
    expect(third.badge).toBe('');
    expect(third.classes).not.toContain('impaired');
  });

  it('marks cables that share both ends as parallel (drawn apart); the others stay straight', () => {
    const doc = bridge();
    const red = doc.links!.find((l) => l.a.node === 'red' || l.b.node === 'red')!;
    // A second cable between red and vnet0, written the other way round.
    doc.links!.push({ id: 'red-again', a: { node: red.b.node }, b: { node: red.a.node } });
    const { edges } = canvasElements(doc, none);
    const parallel = edges.filter((e) => e.classes.includes('parallel')).map((e) => e.id);
    expect(parallel.sort()).toEqual([red.id, 'red-again'].sort());
    expect(edges.filter((e) => !parallel.includes(e.id))).toHaveLength(2);
  });

  it("shows a router's two addresses each at its own cable", () => {
    const { edges } = canvasElements(loadExample('06-router') as Doc, none);
    const ends = edges.flatMap((e) => [
      [e.source, e.sourceLabel],
      [e.target, e.targetLabel],
    ]);
    const router = ends.filter(([node, label]) => node === 'router' && label !== '').map(([, label]) => label);
    expect(router).toHaveLength(2);
    expect(new Set(router).size).toBe(2);
  });

  it('badges NAT on the host and port forwards on the internet node, naming the target', () => {
    const { nodes } = canvasElements(loadExample('05-port-forward') as Doc, none);
    const host = nodes.find((n) => n.id === 'host')!;
    expect(host.badges).toEqual(['MASQ 192.168.15.0/24', 'tcp 80 -> blue:80']);
    expect(host.label).toBe('host\nMASQ 192.168.15.0/24\ntcp 80 -> blue:80');
    expect(nodes.find((n) => n.id === 'internet')?.badges).toEqual(['tcp 80 -> blue:80']);
    expect(nodes.find((n) => n.id === 'vnet0')?.label).toBe('vnet0\n192.168.15.5/24');
  });

  it('names a masquerade rule\'s outgoing interface only when it is not the uplink', () => {
    const doc = loadExample('05-port-forward') as Doc;
    doc.nat!.masquerade![0]!.out = 'wlan0';
    expect(canvasElements(doc, none).nodes.find((n) => n.id === 'host')?.badges[0]).toBe('MASQ 192.168.15.0/24 out wlan0');
  });

  it('lets search find a node by id, name and address', () => {
    const { nodes } = canvasElements(loadExample('05-port-forward') as Doc, none);
    expect(nodes.find((n) => n.id === 'blue')?.terms).toEqual(['blue', '192.168.15.2/24', '192.168.15.2']);
    expect(nodes.find((n) => n.id === 'vnet0')?.terms).toContain('192.168.15.5');
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

  it('paints every cable on the way of a probe, and the internet node it reaches through the host', () => {
    const doc = loadExample('05-port-forward') as Doc;
    const probes: ProbeResult[] = [
      { id: 'red->internet', from: 'red', to: '203.0.113.1', kind: 'ping', address: '203.0.113.1', expect: 'reachable', observed: 'reachable', result: 'pass' },
      { id: 'blue->red', from: 'blue', to: 'red', kind: 'ping', address: '192.168.15.1', expect: 'reachable', observed: 'unreachable', result: 'fail' },
    ];
    const { nodes, edges } = canvasElements(doc, { ...none, probes });
    const classes = (id: string) => [...nodes, ...edges].find((e) => e.id === id)?.classes;
    // red -> vnet0 -> (the bridge's address: the host) -> uplink -> internet.
    expect(classes('host-internet')).toEqual(['probe-pass']);
    expect(classes('internet')).toEqual(['probe-pass']);
    // blue -> vnet0 -> red: both cables, and blue itself, failed (a failure outweighs a pass).
    expect(classes('blue-vnet0')).toEqual(['probe-fail']);
    expect(classes('red-vnet0')).toEqual(['probe-fail']);
    expect(edges.find((e) => e.id === 'red-vnet0')?.tooltip).toMatch(/^probe blue->red: blue → red \(ping\) expected reachable, observed unreachable\n/);
    expect(classes('blue')).toEqual(['probe-fail']);
    expect(classes('vnet0')).toEqual([]);
  });

  it('draws notes as note nodes with their text', () => {
    const doc: Doc = { ...bridge(), notes: [{ id: 'note1', text: 'the tutorial, step 5', position: { x: 1, y: 2 } }] };
    const { nodes } = canvasElements(doc, none);
    expect(nodes.at(-1)).toEqual({ id: 'note1', label: 'the tutorial, step 5', kind: 'note', position: { x: 1, y: 2 }, classes: [], tooltip: '', badges: [], terms: [] });
  });

  it('marks the element of the failing step', () => {
    const { nodes } = canvasElements(bridge(), { ...none, failedElement: 'vnet0' });
    expect(nodes.find((n) => n.id === 'vnet0')?.classes).toEqual(['step-failed']);
  });

  it('paints the drift inspect saw, its notes in the tooltip', () => {
    const doc = loadExample('05-port-forward') as Doc;
    const drift = new Map([
      ['red-vnet0', { kind: 'down' as const, notes: ['link down: veth-red in red is set down'] }],
      ['blue', { kind: 'extra' as const, notes: ['on the host but not in the drawing: addr blue veth-blue 192.168.15.9/24'] }],
    ]);
    const { nodes, edges } = canvasElements(doc, { ...none, drift });
    const edge = edges.find((e) => e.id === 'red-vnet0')!;
    expect(edge.classes).toEqual(['drift-down']);
    expect(edge.tooltip.split('\n')[0]).toBe('link down: veth-red in red is set down');
    expect(nodes.find((n) => n.id === 'blue')!.classes).toEqual(['drift-extra']);
    expect(nodes.find((n) => n.id === 'red')!.classes).toEqual([]);
  });

  it("shows a namespace's services on it, and after Status whether each runs, how one ended and its last output", () => {
    const doc = loadExample('05-port-forward') as Doc;
    const red = doc.nodes!.find((n) => n.id === 'red')!;
    if (red.kind !== 'namespace') throw new Error('red is a namespace');
    red.services = [{ id: 'fail', command: 'exit 3' }];
    const drawn = canvasElements(doc, none).nodes;
    expect(drawn.find((n) => n.id === 'blue')!.label).toBe('blue\n⚙ web');
    expect(drawn.find((n) => n.id === 'blue')!.badges).toEqual(['⚙ web']);
    expect(drawn.find((n) => n.id === 'host')!.badges).toEqual(['MASQ 192.168.15.0/24', 'tcp 80 -> blue:80']);
    const services = new Map([
      ['blue', [{ netns: 'blue', id: 'web', state: 'running' as const, pid: 42, exit: null, tail: '' }]],
      ['red', [{ netns: 'red', id: 'fail', state: 'exited' as const, pid: null, exit: 3, tail: 'starting\nno such thing\n' }]],
    ]);
    const { nodes } = canvasElements(doc, { ...none, services });
    expect(nodes.find((n) => n.id === 'blue')!.badges).toEqual(['⚙ web: running (pid 42)']);
    expect(nodes.find((n) => n.id === 'blue')!.classes).toEqual([]);
    const failed = nodes.find((n) => n.id === 'red')!;
    expect(failed.label).toBe('red\n⚙ fail: exited 3');
    expect(failed.classes).toEqual(['service-down']);
    expect(failed.tooltip).toBe('service fail: exited 3; last output:\nstarting\nno such thing');
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
    // Each node's icon, and red's address at red's end of its cable.
    expect(svg.match(/<path transform=/g)).toHaveLength(4);
    const red = nodes.find((n) => n.id === 'r<&>')!.position;
    const cable = edges.find((e) => e.source === 'r<&>')!;
    const vnet0 = nodes.find((n) => n.id === cable.target)!.position;
    const length = Math.hypot(vnet0.x - red.x, vnet0.y - red.y);
    const x = red.x + ((vnet0.x - red.x) * END_LABEL_OFFSET) / length;
    expect(svg).toContain(`<text x="${x}" y="${red.y + ((vnet0.y - red.y) * END_LABEL_OFFSET) / length}" font-size="10" fill="#1d2733" text-anchor="middle">192.168.15.1/24</text>`);
  });
});

describe('interface names on the cables', () => {
  it('follow a rename, and an edit elsewhere keeps them', () => {
    const doc = bridge();
    const red = () => canvasElements(doc, none).edges.find((e) => e.source === 'red' || e.target === 'red')!.label;
    expect(red()).toBe('veth-red ↔ veth-red-br');
    const ns = doc.nodes!.find((n) => n.id === 'red')!;
    if (ns.kind !== 'namespace') throw new Error('red is a namespace');
    ns.dns = ['9.9.9.9'];
    expect(red()).toBe('veth-red ↔ veth-red-br');
    ns.name = 'rouge';
    expect(red()).toBe('veth-rouge ↔ veth-rouge-br');
    doc.links!.find((l) => l.a.node === 'red')!.a.ifname = 'eth0';
    expect(red()).toBe('eth0 ↔ veth-rouge-br');
  });
});
