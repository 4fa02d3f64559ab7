/**
 * The likely cause of a failed probe, from what was expected (and why) and what was observed.
 * It can only point at the usual suspects; the words say so.
 */
import type { PlannedProbe } from '../compiler/probes.js';
import type { ProbeResult } from './events.js';

/** The nodes between both ends of a planned path (`via a -> b -> c` gives [b]). */
export function transitNodes(reason: string): string[] {
  const m = /^via (.+)$/.exec(reason);
  if (!m) return [];
  return m[1]!.split(' -> ').slice(1, -1);
}

/** What the host was seen to be (lab.sh inspect): the links of the drawing that are down, each with the nodes at its ends. */
export interface LiveFacts {
  downLinks: ReadonlyArray<{ link: string; nodes: readonly string[]; why: string }>;
}

/** A sentence for a failed or skipped probe; undefined when the probe passed. With `live`, a link seen down on the probe's path is the cause. */
export function diagnose(probe: ProbeResult, planned?: PlannedProbe, live?: LiveFacts): string | undefined {
  if (probe.result === 'pass') return undefined;
  const why = planned ? ` (the drawing says: ${planned.reason})` : '';
  if (probe.observed === 'unknown') return `could not probe${why}`;
  if (probe.expect === 'unreachable') {
    return `isolation broken: ${probe.from} reaches ${probe.to} although the drawing gives it no path; something routes between them (a route, forwarding or a NAT rule on the host that the drawing does not show)`;
  }
  const path = new Set([probe.from, probe.to, ...transitNodes(planned?.reason ?? '')]);
  const down = (live?.downLinks ?? []).filter((l) => l.nodes.some((n) => path.has(n)));
  if (down.length > 0) {
    // Seen on the host, this beats every guess below (NAT, forwarding, firewall).
    return `link ${down.map((l) => `${l.link} is down (${l.why})`).join(', link ')}: it is on the path${why}`;
  }
  const impaired = planned?.impairment;
  if (impaired && impaired.lossPercent > 0) {
    // The drawing's own impairments are the first suspect: they drop packets on purpose.
    const links = impaired.links.join(', ');
    return impaired.lossPercent >= 100
      ? `no answer: the impairments on ${links} drop every packet (loss 100 %)${why}`
      : `no answer in ${impaired.tries} tries: the path loses ${impaired.lossPercent} % of round trips (netem on ${links}); if that is not bad luck, no route, or an end is down${why}`;
  }
  switch (planned?.origin) {
    case 'outside':
      return `no answer from outside: likely missing NAT for the source (masquerade ${probe.from}'s subnet out of the uplink), forwarding off on the host (net.ipv4.ip_forward=0), or the uplink cannot reach ${probe.address}${why}`;
    case 'port-forward':
      return `nothing answered on ${probe.address}: check that a server listens in the target namespace and that the DNAT rules are in place${why}`;
    case 'host':
      return `the host gets no answer from ${probe.to}: no route, or the namespace's interface or the host's bridge is down or unaddressed${why}`;
  }
  const transit = transitNodes(planned?.reason ?? '');
  // The host is labelled "host" (or its id) in paths; a host in transit means its FORWARD chain decides.
  if (transit.includes('host')) {
    return `no answer through the host: firewall FORWARD policy DROP on the host (as Docker sets, or br_netfilter), or forwarding is off in host${why}`;
  }
  if (transit.length > 0) {
    return `no answer through ${transit.join(', ')}: forwarding is off in ${transit.join(' or ')}, or a route is missing one way${why}`;
  }
  return `no answer: no route, or an end is down or not on the same segment${why}`;
}

/** The failed probes diagnosed again with what inspect saw; passed probes are returned as they are. */
export function rediagnose(probes: readonly ProbeResult[], planned: readonly PlannedProbe[], live: LiveFacts): ProbeResult[] {
  return probes.map((p) => {
    const cause = diagnose(p, planned.find((x) => x.id === p.id), live);
    return cause === undefined || cause === p.cause ? p : { ...p, cause };
  });
}
