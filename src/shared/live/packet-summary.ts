/**
 * One line of `tcpdump -l -nn` as a row of the designer's packet list: time, source,
 * destination, protocol and the rest of the line. Lines that are not packets (tcpdump's own
 * "listening on ..." notes) give undefined.
 */

export interface PacketRow {
  time: string;
  source: string;
  destination: string;
  protocol: string;
  summary: string;
}

const TIME = /^(\d\d:\d\d:\d\d\.\d+) (.*)$/;
const IP = /^(IP6?) (\S+) > (\S+): (.*)$/;

/** An address with a port as tcpdump -nn writes it (`10.0.0.1.80`, `fd00::1.80`): which part is the port. */
function splitPort(text: string, family: 'IP' | 'IP6'): { host: string; port?: string } {
  const dot = text.lastIndexOf('.');
  if (dot < 0) return { host: text };
  const port = text.slice(dot + 1);
  const host = text.slice(0, dot);
  // An IPv4 address alone has four parts; with a port it has five.
  if (family === 'IP' && text.split('.').length === 4) return { host: text };
  if (family === 'IP6' && !/^\d+$/.test(port)) return { host: text };
  return /^\d+$/.test(port) ? { host, port } : { host: text };
}

function protocolOf(rest: string, family: 'IP' | 'IP6'): string {
  if (rest.startsWith('ICMP6')) return 'ICMPv6';
  if (rest.startsWith('ICMP')) return 'ICMP';
  if (rest.startsWith('Flags [')) return 'TCP';
  if (rest.startsWith('UDP')) return 'UDP';
  if (/^igmp/i.test(rest)) return 'IGMP';
  // Anything else (-nn prints ports, not service names, so DNS is "12345+ A? ..."): the family.
  return family === 'IP6' ? 'IPv6' : 'IP';
}

/** Parses one summary line; undefined when the line is not a packet. */
export function parsePacketLine(line: string): PacketRow | undefined {
  const t = TIME.exec(line.trimEnd());
  if (!t) return undefined;
  const [, time, body] = t as unknown as [string, string, string];
  const ip = IP.exec(body);
  if (ip) {
    const family = ip[1] as 'IP' | 'IP6';
    const src = splitPort(ip[2]!, family);
    const dst = splitPort(ip[3]!.replace(/:$/, ''), family);
    const rest = ip[4]!;
    const withPort = (a: { host: string; port?: string }): string => (a.port === undefined ? a.host : family === 'IP6' ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);
    return { time, source: withPort(src), destination: withPort(dst), protocol: protocolOf(rest, family), summary: rest };
  }
  if (body.startsWith('ARP, ')) {
    const rest = body.slice(5);
    const request = /who-has (\S+) tell (\S+)/.exec(rest);
    if (request) return { time, source: request[2]!.replace(/,$/, ''), destination: request[1]!, protocol: 'ARP', summary: rest };
    const reply = /Reply (\S+) is-at (\S+)/.exec(rest);
    if (reply) return { time, source: reply[1]!, destination: '', protocol: 'ARP', summary: rest };
    return { time, source: '', destination: '', protocol: 'ARP', summary: rest };
  }
  const [protocol = '', ...words] = body.split(' ');
  return { time, source: '', destination: '', protocol: protocol.replace(/,$/, ''), summary: words.join(' ') };
}
