/**
 * Rules for interface names beyond their spelling (NAME_PATTERN in topology.ts): names the
 * kernel keeps for itself, and names the `ip` command reads as one of its keywords.
 */

/** Interface names the kernel refuses or already has in every namespace. */
export const RESERVED_IFNAMES: ReadonlySet<string> = new Set(['lo', 'all', 'default']);

/**
 * Words `ip link add NAME ...` and `ip link set NAME ...` read as keywords where lab.sh puts a
 * device name (measured with iproute2 6.1 in a fresh network namespace: `ip link add up type
 * bridge` makes "bridge0" and sets it up; `ip link add br type bridge` fails with '"type" is
 * invalid lladdr'). Names after `dev`, `name`, `master` and `netns` are read literally, and
 * namespace names are never misread. Words up to 15 bytes only: longer ones are no interface name.
 */
export const IP_LINK_KEYWORDS: readonly string[] = [
  'allmulticast', 'arp', 'brd', 'carrier', 'dev', 'down', 'gro_max_size', 'group', 'gso_max_segs', 'gso_max_size', 'index', 'link-netns',
  'mode', 'mtu', 'multicast', 'name', 'netns', 'parentdev', 'promisc', 'protodown', 'qlen', 'state', 'trailers', 'up', 'vf', 'vrf',
  'xdp', 'xdpdrv', 'xdpgeneric', 'xdpoffload',
];

/** Keywords iproute2 also accepts abbreviated (its matches()): any prefix of them, down to one letter, is read as the keyword. */
export const IP_LINK_ABBREVIATED_KEYWORDS: readonly string[] = [
  'address', 'addrgenmode', 'alias', 'broadcast', 'dynamic', 'help', 'link-netnsid', 'master', 'nomaster', 'numrxqueues', 'numtxqueues',
  'txqlen', 'txqueuelen', 'type',
];

const KEYWORDS: ReadonlySet<string> = new Set(IP_LINK_KEYWORDS);
/** Every prefix of the abbreviated keywords, each with the first keyword (in list order) it starts. */
const ABBREVIATIONS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const k of IP_LINK_ABBREVIATED_KEYWORDS) for (let n = 1; n <= k.length; n++) if (!out.has(k.slice(0, n))) out.set(k.slice(0, n), k);
  return out;
})();

/** The `ip` keyword an interface name would be read as (`up`, or `broadcast` for "br"), or undefined when `ip` reads it as a name. */
export function ipKeyword(name: string): string | undefined {
  if (KEYWORDS.has(name)) return name;
  return ABBREVIATIONS.get(name);
}
