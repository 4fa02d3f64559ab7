import { describe, expect, it } from 'vitest';
import { parsePacketLine } from '../../../src/shared/live/packet-summary.js';

describe('packet-summary', () => {
  it.each([
    [
      '13:24:11.123456 IP 192.168.15.2 > 192.168.15.1: ICMP echo request, id 7, seq 1, length 64',
      { time: '13:24:11.123456', source: '192.168.15.2', destination: '192.168.15.1', protocol: 'ICMP', summary: 'ICMP echo request, id 7, seq 1, length 64' },
    ],
    [
      '13:24:11.200000 IP 10.0.0.1.34567 > 10.0.0.2.80: Flags [S], seq 1, win 64240, length 0',
      { time: '13:24:11.200000', source: '10.0.0.1:34567', destination: '10.0.0.2:80', protocol: 'TCP', summary: 'Flags [S], seq 1, win 64240, length 0' },
    ],
    [
      '13:24:11.300000 IP 10.0.0.1.5353 > 10.0.0.2.53: UDP, length 12',
      { time: '13:24:11.300000', source: '10.0.0.1:5353', destination: '10.0.0.2:53', protocol: 'UDP', summary: 'UDP, length 12' },
    ],
    [
      '13:24:11.400000 IP6 fe80::1 > ff02::2: ICMP6, router solicitation, length 16',
      { time: '13:24:11.400000', source: 'fe80::1', destination: 'ff02::2', protocol: 'ICMPv6', summary: 'ICMP6, router solicitation, length 16' },
    ],
    [
      '13:24:11.500000 IP6 fd00::1.443 > fd00::2.50000: Flags [.], ack 1, length 0',
      { time: '13:24:11.500000', source: '[fd00::1]:443', destination: '[fd00::2]:50000', protocol: 'TCP', summary: 'Flags [.], ack 1, length 0' },
    ],
    [
      '13:24:11.600000 ARP, Request who-has 192.168.15.2 tell 192.168.15.1, length 28',
      { time: '13:24:11.600000', source: '192.168.15.1', destination: '192.168.15.2', protocol: 'ARP', summary: 'Request who-has 192.168.15.2 tell 192.168.15.1, length 28' },
    ],
    [
      '13:24:11.700000 ARP, Reply 192.168.15.2 is-at 6a:1e:33:00:00:02, length 28',
      { time: '13:24:11.700000', source: '192.168.15.2', destination: '', protocol: 'ARP', summary: 'Reply 192.168.15.2 is-at 6a:1e:33:00:00:02, length 28' },
    ],
  ])('reads %s', (line, row) => {
    expect(parsePacketLine(line)).toEqual(row);
  });

  it.each(['listening on veth-red, link-type EN10MB (Ethernet), snapshot length 262144 bytes', 'reading from file -, link-type EN10MB (Ethernet)', '2 packets captured', ''])(
    'says %j is not a packet',
    (line) => {
      expect(parsePacketLine(line)).toBeUndefined();
    },
  );
});
