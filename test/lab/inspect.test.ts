/**
 * `nsd inspect` over SSH against a real sshd in a sandbox lab host: every part present after
 * up, a link set down on the host is seen as down, and an edited drawing shows what the host
 * still has beyond it (extra) until apply.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { downLinks, elementDrift, parseInspect } from '../../src/shared/deploy/inspect.js';
import { EXIT } from '../../src/shared/exit-codes.js';
import { loadExample } from '../support/examples.js';
import { requireSshd, withSshd } from './sshd.js';
import { nsdHome, nsdIn } from './nsd-home.js';

const skip = requireSshd('the nsd inspect tests (test/lab/inspect.test.ts)');

describe.skipIf(skip)('nsd inspect over SSH', () => {
  it(
    'says every part is present after deploy, names a link set down on the host, and lists the extra parts of an edit before apply',
    () =>
      withSshd(async (sb, sshd) => {
        const { home, key } = nsdHome(sshd);
        const nsd = nsdIn(home);
        const ssh = ['--host', `root@${sshd.host}`, '-i', key, '--socket', sshd.socketPath];
        const doc = loadExample('05-port-forward') as { nodes: { id: string }[]; links: { id: string }[]; nat: { portForwards: { to: string }[] } };
        const file = join(home, 'pf.json');
        writeFileSync(file, JSON.stringify(doc));

        expect((await nsd('deploy', file, ...ssh)).code).toBe(EXIT.ok);
        const first = await nsd('inspect', file, ...ssh, '--json');
        expect(first.code, first.stderr).toBe(EXIT.ok);
        const up = parseInspect(first.stdout);
        expect(up.want.filter((i) => i.state !== 'present')).toEqual([]);
        expect(up.want.map((i) => i.line)).toContain('veth veth-red red - veth-red-br - vnet0 -');
        expect(up.extra).toEqual([]);
        expect(up.namespaces.map((n) => n.name)).toEqual(['red', 'blue']);
        expect(up.namespaces[0]!.addrs.find((a) => a.ifname === 'veth-red')!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain('192.168.15.1/24');
        expect(up.chains.find((c) => c.table === 'nat' && c.parent === 'POSTROUTING')!.rules).toEqual(['-A NSD-port-forward-POST -s 192.168.15.0/24 -o eth0 -j MASQUERADE']);
        expect(downLinks(up)).toEqual([]);
        expect(elementDrift(up).size).toBe(0);

        // Someone sets red's cable down and changes blue's default route by hand.
        expect((await sb.lab(['ip', '-n', 'red', 'link', 'set', 'veth-red', 'down'])).code).toBe(0);
        expect((await sb.lab(['ip', '-n', 'blue', 'route', 'replace', 'default', 'via', '192.168.15.9', 'dev', 'veth-blue', 'onlink'])).code).toBe(0);
        // ...and blue's DNS servers, in a file with Windows line ends.
        expect((await sb.lab(['bash', '-c', "printf 'nameserver 9.9.9.9\\r\\nnameserver 1.1.1.1\\r\\n' >/etc/netns/blue/resolv.conf"])).code).toBe(0);
        const drifted = await nsd('inspect', file, ...ssh);
        expect(drifted.code, drifted.stderr).toBe(EXIT.ok);
        expect(drifted.stdout).toMatch(/^lab port-forward: \d+ of \d+ parts present, 1 missing, 2 different, 1 link\(s\) down, 0 extra$/m);
        expect(drifted.stdout).toContain('different  dns blue  [blue]: resolv.conf says nameserver 9.9.9.9?; nameserver 1.1.1.1?, where the drawing has nameserver 1.1.1.1\n');
        // The kernel drops the routes through an interface that goes down.
        expect(drifted.stdout).toContain('missing    route red default via 192.168.15.5  [red]\n');
        expect(drifted.stdout).toContain('down       link red-vnet0: veth-red in red is set down\n');
        expect(drifted.stdout).toMatch(/^different {2}route blue default via 192\.168\.15\.5 {2}\[blue\]: the route is: default via 192\.168\.15\.9 dev veth-blue onlink$/m);
        const seen = elementDrift(parseInspect((await nsd('inspect', file, ...ssh, '--json')).stdout));
        expect(Object.fromEntries([...seen].map(([id, d]) => [id, d.kind]))).toEqual({ 'red-vnet0': 'down', red: 'missing', blue: 'different' });

        // An edit before apply: blue and its cable are gone from the drawing, still on the host.
        const edited = structuredClone(doc);
        edited.nodes = edited.nodes.filter((n) => n.id !== 'blue');
        edited.links = edited.links.filter((l) => l.id !== 'blue-vnet0');
        edited.nat.portForwards[0]!.to = '192.168.15.1';
        const editedFile = join(home, 'edited.json');
        writeFileSync(editedFile, JSON.stringify(edited));
        const before = parseInspect((await nsd('inspect', editedFile, ...ssh, '--json')).stdout);
        expect(before.extra.filter((i) => i.state === 'present').map((i) => `${i.line} [${i.element}]`)).toEqual(
          expect.arrayContaining(['netns blue [blue]', 'dns blue [blue]', 'veth veth-blue blue - veth-blue-br - vnet0 - [blue-vnet0]', 'addr blue veth-blue 192.168.15.2/24 [blue-vnet0]']),
        );
        expect(elementDrift(before).get('blue')?.kind).toBe('extra');
        expect((await nsd('deploy', editedFile, ...ssh)).code).toBe(EXIT.ok);
        const after = parseInspect((await nsd('inspect', editedFile, ...ssh, '--json')).stdout);
        expect(after.extra).toEqual([]);
        expect(after.namespaces.map((n) => n.name)).toEqual(['red']);
        expect((await nsd('destroy', editedFile, ...ssh)).code).toBe(EXIT.ok);
      }),
    240_000,
  );
});
