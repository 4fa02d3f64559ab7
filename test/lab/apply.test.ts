/**
 * Apply: `up` on a host where the lab runs removes what the record has and the edited drawing
 * does not, adds what is new and leaves the rest alone; the result equals a fresh deploy of the
 * edited drawing, compared as a deep snapshot of the lab host (every namespace inside it too).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { serviceHash } from '../../src/shared/compiler/steps.js';
import { CommandError, perform, type Doc as CommandDoc, type EditorCommand } from '../../src/shared/document/commands.js';
import { loadExample } from '../support/examples.js';
import { requireLab, withSandbox, type RunResult, type Sandbox } from './sandbox.js';

const skip = requireLab('the apply tests (test/lab/apply.test.ts)');
const TIMEOUT = 240_000;

interface Doc {
  name: string;
  nodes: { id: string; kind: string; routes?: { to: string; via?: string }[]; dns?: string[]; addresses?: string[]; forwarding?: boolean; router?: boolean }[];
  links: { id: string; a: { node: string; addresses?: string[] }; b: { node: string; addresses?: string[] } }[];
  nat: { masquerade: { id: string; source: string; out?: string }[]; portForwards: { id: string; proto: string; hostPort: number; to: string; toPort?: number }[] };
}

const example = (name: string): Doc => structuredClone(loadExample(name)) as Doc;
const replaced = (doc: Doc, from: string, to: string): Doc => JSON.parse(JSON.stringify(doc).replaceAll(from, to)) as Doc;

function scriptOf(doc: Doc): string {
  const result = compile(doc, { source: 'test.json' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.script;
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const done = await r;
  expect(done.code, `${done.stdout}\n${done.stderr}`).toBe(0);
  return done;
}

/** A PATH whose `mv` kills the script that runs it right after it moved a file onto `target` (an interruption at that very moment). */
async function killingMvPath(sb: Sandbox, target: string): Promise<string> {
  const realMv = (await ok(sb.lab(['sh', '-c', 'command -v mv']))).stdout.trim();
  const bin = join(sb.tmpDir, 'kill-mv-bin');
  mkdirSync(bin, { recursive: true });
  const script = ['#!/bin/bash', `${realMv} "$@"`, 'status=$?', `if [[ \${!#} == ${JSON.stringify(target)} ]]; then kill -9 "$PPID"; fi`, 'exit "$status"', ''];
  writeFileSync(join(bin, 'mv'), script.join('\n'), { mode: 0o755 });
  return `${bin}:${(await ok(sb.lab(['sh', '-c', 'echo "$PATH"']))).stdout.trim()}`;
}

/** 02-bridge with green's cable in a new bridge vnet1, on a subnet of its own. */
function movedGreen(doc: Doc): Doc {
  doc.nodes.push({ id: 'vnet1', kind: 'bridge' });
  const green = doc.links.find((l) => l.id === 'green-vnet0')!;
  green.b.node = 'vnet1';
  green.a.addresses = ['192.168.16.3/24'];
  return doc;
}

/** 02-bridge with green's cable ending in the host, unplugged, under the name it had on the bridge. */
function unpluggedGreen(doc: Doc): Doc {
  doc.nodes.push({ id: 'host', kind: 'host' });
  const green = doc.links.find((l) => l.id === 'green-vnet0')!;
  green.b = { node: 'host', ifname: 'veth-green-br' } as Doc['links'][number]['b'];
  green.a.addresses = ['192.168.16.3/24'];
  return doc;
}

/** The edits, each from a running 05-port-forward (or the example named) to the edited drawing. */
const EDITS: Array<{ name: string; base?: string; edit(doc: Doc): Doc }> = [
  {
    name: 'remove a node (blue, its link, and the port forward pointed at red instead)',
    edit: (doc) => {
      doc.nodes = doc.nodes.filter((n) => n.id !== 'blue');
      doc.links = doc.links.filter((l) => l.id !== 'blue-vnet0');
      doc.nat.portForwards[0]!.to = '192.168.15.1';
      return doc;
    },
  },
  { name: 'rename a namespace (red -> green: a remove and an add)', edit: (doc) => replaced(replaced(doc, '"red"', '"green"'), 'red-vnet0', 'green-vnet0') },
  { name: 'readdress everything (192.168.15.0/24 -> 192.168.25.0/24)', edit: (doc) => replaced(doc, '192.168.15.', '192.168.25.') },
  {
    name: "change a route (red's default route goes, a route to 10.9.0.0/16 comes)",
    edit: (doc) => {
      doc.nodes.find((n) => n.id === 'red')!.routes = [{ to: '10.9.0.0/16', via: '192.168.15.5' }];
      return doc;
    },
  },
  {
    name: 'change a port forward (host port 8080 to red)',
    edit: (doc) => {
      doc.nat.portForwards[0] = { id: 'web', proto: 'tcp', hostPort: 8080, to: '192.168.15.1', toPort: 80 };
      return doc;
    },
  },
  {
    name: 'change the masquerade rule (a smaller source)',
    edit: (doc) => {
      doc.nat.masquerade[0]!.source = '192.168.15.0/25';
      return doc;
    },
  },
  {
    name: 'drop NAT and DNS (chains, jumps, ip_forward and /etc/netns files go)',
    edit: (doc) => {
      doc.nat = { masquerade: [], portForwards: [] };
      for (const n of doc.nodes) delete n.dns;
      for (const n of doc.nodes) delete n.routes;
      return doc;
    },
  },
  {
    name: 'add a namespace and its link',
    edit: (doc) => {
      doc.nodes.push({ id: 'green', kind: 'namespace', routes: [{ to: 'default', via: '192.168.15.5' }] });
      doc.links.push({ id: 'green-vnet0', a: { node: 'green', addresses: ['192.168.15.3/24'] }, b: { node: 'vnet0' } });
      return doc;
    },
  },
  {
    name: 'split the segment (blue moves to a new bridge vnet1 on 192.168.16.0/24)',
    edit: (doc) => {
      doc.nodes.push({ id: 'vnet1', kind: 'bridge', addresses: ['192.168.16.5/24'] });
      doc.links = doc.links.map((l) => (l.id === 'blue-vnet0' ? { id: 'blue-vnet1', a: { node: 'blue', addresses: ['192.168.16.2/24'] }, b: { node: 'vnet1' } } : l));
      doc.nodes.find((n) => n.id === 'blue')!.routes = [{ to: 'default', via: '192.168.16.5' }];
      doc.nat.masquerade.push({ id: 'masq-vnet1', source: '192.168.16.0/24', out: 'eth0' });
      doc.nat.portForwards[0]!.to = '192.168.16.2';
      return doc;
    },
  },
  {
    name: "move a cable to another bridge (green's pair stays, re-plugged into a new vnet1)",
    base: '02-bridge',
    edit: movedGreen,
  },
  {
    name: "unplug a cable (green's host end leaves the bridge, its name kept)",
    base: '02-bridge',
    edit: unpluggedGreen,
  },
  {
    name: 'turn the router off (its forwarding sysctl goes back to 0)',
    base: '06-router',
    edit: (doc) => {
      const router = doc.nodes.find((n) => n.router === true)!;
      router.router = false;
      router.forwarding = false;
      return doc;
    },
  },
];

/** up base, then up edited (apply), against down + a fresh up of the edited drawing. */
async function checkApply(sb: Sandbox, base: Doc, edited: Doc): Promise<void> {
  const before = await sb.snapshot();
  await ok(sb.runScript(scriptOf(base), ['up']));
  const applied = await ok(sb.runScript(scriptOf(edited), ['up']));
  const afterApply = await sb.snapshot();
  // Applying the same drawing again changes nothing.
  const again = await ok(sb.runScript(scriptOf(edited), ['up']));
  expect(again.stdout).not.toMatch(/^ +[-~] /m);
  await ok(sb.runScript(scriptOf(edited), ['down']));
  expect(await sb.snapshot()).toBe(before);
  await ok(sb.runScript(scriptOf(edited), ['up']));
  expect(afterApply, applied.stdout).toBe(await sb.snapshot());
  await ok(sb.runScript(scriptOf(edited), ['down']));
  expect(await sb.snapshot()).toBe(before);
}

describe.skipIf(skip)('apply', () => {
  it(
    'moves a cable to another bridge and out of any by re-plugging it: the pair stays (its namespace end keeps its index), and plan says so',
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        const base = example('02-bridge');
        const ifindex = async (): Promise<string> => /^(\d+):/.exec((await ok(sb.lab(['ip', '-n', 'green', '-o', 'link', 'show', 'dev', 'veth-green']))).stdout)![1]!;
        const hostEnd = async (): Promise<string> => (await ok(sb.lab(['ip', '-o', 'link', 'show', 'dev', 'veth-green-br']))).stdout;
        await ok(sb.runScript(scriptOf(base), ['up']));
        const made = await ifindex();

        const moved = scriptOf(movedGreen(example('02-bridge')));
        const plan = await ok(sb.runScript(moved, ['plan']));
        expect(plan.stdout).toContain('~ veth veth-green <-> veth-green-br: re-plugged (veth-green-br: vnet0 -> vnet1)  [green-vnet0]\n');
        expect(plan.stdout).not.toMatch(/^[-+] veth /m);
        expect(plan.stdout).toMatch(/^plan for lab bridge: \d+ to add, 1 to remove, 1 chain\(s\) to refill, 1 veth pair\(s\) to re-plug; /m);
        const applied = await ok(sb.runScript(moved, ['up']));
        expect(applied.stdout).toContain('~ veth veth-green <-> veth-green-br: re-plugged (veth-green-br: vnet0 -> vnet1)');
        expect(await ifindex()).toBe(made);
        expect(await hostEnd()).toContain(' master vnet1 ');
        await ok(sb.runScript(moved, ['verify']));

        const unplugged = scriptOf(unpluggedGreen(example('02-bridge')));
        expect((await ok(sb.runScript(unplugged, ['up']))).stdout).toContain('re-plugged (veth-green-br: vnet1 -> no bridge)');
        expect(await ifindex()).toBe(made);
        expect(await hostEnd()).not.toContain(' master ');

        expect((await ok(sb.runScript(scriptOf(base), ['up']))).stdout).toContain('re-plugged (veth-green-br: no bridge -> vnet0)');
        expect(await ifindex()).toBe(made);
        expect(await hostEnd()).toContain(' master vnet0 ');
        await ok(sb.runScript(scriptOf(base), ['verify']));
        await ok(sb.runScript(scriptOf(base), ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    "an up killed right after apply rewrote the record still names a re-plugged pair there (the drawing's line), and down removes it all",
    () =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await ok(sb.runScript(scriptOf(example('02-bridge')), ['up']));
        const moved = scriptOf(movedGreen(example('02-bridge')));
        const killed = await sb.runScript(moved, ['up'], { env: { PATH: await killingMvPath(sb, '/run/nsd/bridge/record') } });
        expect(killed.code, killed.stdout + killed.stderr).toBe(137);
        expect(killed.stdout).toContain('~ veth veth-green <-> veth-green-br: re-plugged (veth-green-br: vnet0 -> vnet1)');
        const record = (await ok(sb.lab(['cat', '/run/nsd/bridge/record']))).stdout;
        expect(record).toMatch(/^veth veth-green green - veth-green-br - vnet1 -\tgreen-vnet0$/m);
        expect(record).not.toMatch(/^veth veth-green .* vnet0 /m);
        await ok(sb.runScript(moved, ['up']));
        await ok(sb.runScript(moved, ['verify']));
        await ok(sb.runScript(moved, ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it.each(EDITS.map((e) => [e.name, e] as const))(
    '%s: the lab equals a fresh deploy of the edited drawing, and down leaves nothing',
    (_name, e) => withSandbox((sb) => checkApply(sb, example(e.base ?? '05-port-forward'), e.edit(example(e.base ?? '05-port-forward')))),
    TIMEOUT,
  );

  it.each([1, 2, 3, 4, 5, 6])(
    'property, seed %i: random edits from the editor commands, applied one after another, each equal to a fresh deploy',
    (seed) =>
      withSandbox(async (sb) => {
        const before = await sb.snapshot();
        let state = seed * 7919;
        const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
        const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
        let doc = example('04-nat') as unknown as Doc & CommandDoc;
        await ok(sb.runScript(scriptOf(doc), ['up']));
        const done: string[] = [];
        for (let tries = 0; done.length < 5 && tries < 200; tries++) {
          const ids = (kind: string) => doc.nodes.filter((n) => n.kind === kind).map((n) => n.id);
          const namespaces = ids('namespace');
          const bridges = ids('bridge');
          const commands: EditorCommand[] = [
            { type: 'addNode', kind: 'namespace', position: { x: 0, y: 0 } },
            { type: 'addNode', kind: 'bridge', position: { x: 0, y: 0 } },
            ...namespaces.map((n): EditorCommand => ({ type: 'connect', from: n, to: pick([...bridges, ...namespaces]) })),
            ...namespaces.map((n): EditorCommand => ({ type: 'delete', ids: [n] })),
            ...doc.links.map((l): EditorCommand => ({ type: 'delete', ids: [l.id] })),
            ...namespaces.map((n): EditorCommand => ({ type: 'updateNode', id: n, patch: { id: `${n}x` } })),
            ...bridges.map((b): EditorCommand => ({ type: 'updateNode', id: b, patch: { addresses: [`10.${Math.floor(random() * 200)}.0.1/24`] } })),
          ];
          const command = pick(commands);
          let next: typeof doc;
          try {
            next = perform(doc, command).doc as typeof doc;
            // A bare new node is nothing on the host yet: connect it in the same edit.
            if (command.type === 'addNode') {
              const added = next.nodes.find((n) => !doc.nodes.some((o) => o.id === n.id))!;
              next = perform(next, { type: 'connect', from: added.id, to: pick(ids('bridge').length > 0 ? ids('bridge') : namespaces) }).doc as typeof doc;
            }
          } catch (e) {
            if (e instanceof CommandError) continue;
            throw e;
          }
          if (next === doc || !compile(next).ok) continue;
          done.push(JSON.stringify(command));
          const what = `seed ${seed}, edits ${done.join(' then ')}`;
          const applied = await sb.runScript(scriptOf(next), ['up']);
          expect(applied.code, `${what}\n${applied.stdout}${applied.stderr}`).toBe(0);
          const afterApply = await sb.snapshot();
          await ok(sb.runScript(scriptOf(next), ['down']));
          expect(await sb.snapshot(), what).toBe(before);
          await ok(sb.runScript(scriptOf(next), ['up']));
          expect(afterApply, what).toBe(await sb.snapshot());
          doc = next;
        }
        expect(done).toHaveLength(5);
        await ok(sb.runScript(scriptOf(doc), ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'plan says what up would remove, refill and add, and changes nothing',
    () =>
      withSandbox(async (sb) => {
        const base = example('05-port-forward');
        const edited = EDITS[0]!.edit(example('05-port-forward'));
        const before = await sb.snapshot();
        const fresh = await ok(sb.runScript(scriptOf(base), ['plan']));
        expect(fresh.stdout).toContain('+ netns red  [red]\n');
        expect(fresh.stdout).toContain('+ jump iptables nat PREROUTING NSD-port-forward-PRE  [lab]\n');
        expect(fresh.stdout).toMatch(/^plan for lab port-forward: \d+ to add, 0 to remove, 0 chain\(s\) to refill; the rest stays as it is$/m);
        expect(await sb.snapshot()).toBe(before);

        await ok(sb.runScript(scriptOf(base), ['up']));
        const running = await sb.snapshot();
        const plan = await ok(sb.runScript(scriptOf(edited), ['plan']));
        const lines = plan.stdout.split('\n').filter((l) => /^[-+~] /.test(l));
        const web = (base.nodes.find((n) => n.id === 'blue') as unknown as { services: { command: string }[] }).services[0]!.command;
        expect(lines).toEqual([
          // Services stop first, before anything they may use goes.
          `- service blue web ${serviceHash(web)}  [blue]`,
          '~ iptables nat chain NSD-port-forward-OUT: its rules change (refilled in order)',
          '~ iptables nat chain NSD-port-forward-PRE: its rules change (refilled in order)',
          '~ iptables filter chain NSD-port-forward-FWD: its rules change (refilled in order)',
          '- route blue default via 192.168.15.5  [blue]',
          '- addr blue veth-blue 192.168.15.2/24  [blue-vnet0]',
          '- veth veth-blue blue - veth-blue-br - vnet0 -  [blue-vnet0]',
          '- link veth-blue-br  [blue-vnet0]',
          '- link veth-blue  [blue-vnet0]',
          '- netns blue  [blue]',
          '- dns blue  [blue]',
        ]);
        expect(plan.stdout).toContain('plan for lab port-forward: 0 to add, 8 to remove, 3 chain(s) to refill; the rest stays as it is\n');
        expect(await sb.snapshot()).toBe(running);

        await ok(sb.runScript(scriptOf(edited), ['up']));
        expect((await ok(sb.runScript(scriptOf(edited), ['plan']))).stdout).toContain('plan for lab port-forward: 0 to add, 0 to remove, 0 chain(s) to refill');
        await ok(sb.runScript(scriptOf(edited), ['down']));
        expect(await sb.snapshot()).toBe(before);
      }),
    TIMEOUT,
  );

  it(
    'leaves unchanged parts alone: a process in an unchanged namespace keeps running, and says what it removed',
    () =>
      withSandbox(async (sb) => {
        const base = example('05-port-forward');
        await ok(sb.runScript(scriptOf(base), ['up']));
        const server = await sb.startHttpServerAt({ ns: 'red' }, '192.168.15.1', 8000, 'still-here');
        const edited = replaced(replaced(base, '"blue"', '"cyan"'), 'blue-vnet0', 'cyan-vnet0');
        const applied = await ok(sb.runScript(scriptOf(edited), ['up']));
        expect(applied.stdout).toContain('         - netns blue  [blue]\n');
        expect(applied.stdout).toContain('         - link veth-blue-br  [blue-vnet0]\n');
        expect(applied.stdout).not.toContain('netns red');
        expect((await sb.httpGet({ ns: 'cyan' }, 'http://192.168.15.1:8000/')).body).toBe('still-here');
        await server.stop();
        await ok(sb.runScript(scriptOf(edited), ['down']));
      }),
    TIMEOUT,
  );
});
