/**
 * A live process on the lab host over a connected session (src/main/ssh/remote-process.ts):
 * the designer's capture stream (raw pcap on stdout, summaries on stderr) of a ping in a
 * deployed lab, stopped from our side with nothing left running on the host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { parsePacketLine, type PacketRow } from '../../src/shared/live/packet-summary.js';
import { captureEnd, captureStreamCommand, execCommand, nodeTarget } from '../../src/shared/live/remote-commands.js';
import { startRemoteProcess, statusOf } from '../../src/main/ssh/remote-process.js';
import { loadExample } from '../support/examples.js';
import { requireSshd, rootLogin, runCompiled, withSshd, type Compiled } from './sshd.js';
import { processLines, until } from '../support/processes.js';

const skip = requireSshd('the remote process tests (test/lab/remote-process.test.ts)');

/** The capture's processes in this test's lab host (`netns`): another test may capture on a veth-red of its own meanwhile. */
function tcpdumps(iface: string, netns: ReadonlySet<string>): string[] {
  return processLines((p) => netns.has(p.netns) && (p.cmd.includes(`tcpdump -i ${iface}`) || p.cmd.startsWith('tcpdump -r -')));
}

describe.skipIf(skip)('remote-process', () => {
  it(
    'streams a capture as pcap and summaries of the same packets, and a stop ends every process of it on the host',
    () =>
      withSshd(async (sb, sshd) => {
        const c = compile(loadExample('01-veth-pair')) as Compiled;
        const conn = await rootLogin(sshd);
        try {
          expect((await runCompiled(conn, c, 'up')).outcome.ok).toBe(true);
          const mine = await sb.netnsIds();
          const pcap: Buffer[] = [];
          let text = '';
          const capture = await startRemoteProcess(conn.client, {
            command: captureStreamCommand(captureEnd(c, 'red-blue.a'), { filter: ['icmp'] }),
            privilege: 'root',
            onStdout: (d) => pcap.push(d),
            onStderr: (d) => (text += d.toString()),
          });
          capture.end();
          await until('tcpdump to listen', () => text.includes('listening on veth-red'));
          let pingOut = '';
          const ping = await startRemoteProcess(conn.client, {
            command: execCommand(nodeTarget(c, 'blue'), ['ping', '-c', '2', '-i', '0.2', '192.168.15.1']),
            privilege: 'root',
            onStdout: (d) => (pingOut += d.toString()),
            onStderr: () => undefined,
          });
          ping.end();
          expect(statusOf(await ping.exited), pingOut).toBe(0);
          const rows = (): PacketRow[] => text.split('\n').flatMap((l) => parsePacketLine(l) ?? []);
          await until('4 packets in the list', () => rows().length >= 4);
          expect(rows().map((r) => [r.source, r.destination, r.protocol, r.summary.split(',')[0]])).toEqual([
            ['192.168.15.2', '192.168.15.1', 'ICMP', 'ICMP echo request'],
            ['192.168.15.1', '192.168.15.2', 'ICMP', 'ICMP echo reply'],
            ['192.168.15.2', '192.168.15.1', 'ICMP', 'ICMP echo request'],
            ['192.168.15.1', '192.168.15.2', 'ICMP', 'ICMP echo reply'],
          ]);
          expect(tcpdumps('veth-red', mine).length).toBeGreaterThan(0);

          const exit = await capture.stop();
          expect(exit.lost).toBe(false);
          await until('the capture to end on the host', () => tcpdumps('veth-red', mine).length === 0);
          const file = join(mkdtempSync(join(tmpdir(), 'nsd-pcap-')), 'ping.pcap');
          writeFileSync(file, Buffer.concat(pcap));
          const read = execFileSync('tcpdump', ['-r', file, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
          expect(read.map((l) => parsePacketLine(l)?.summary.split(',')[0])).toEqual(['ICMP echo request', 'ICMP echo reply', 'ICMP echo request', 'ICMP echo reply']);
          expect((await runCompiled(conn, c, 'down')).outcome.ok).toBe(true);
        } finally {
          conn.client.end();
        }
      }, { upstream: false }),
    120_000,
  );
});
