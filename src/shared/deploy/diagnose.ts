/**
 * The likely cause of a failed probe, from what was expected (and why) and what was observed.
 * It can only point at the usual suspects; the words say so.
 */
import type { PlannedProbe } from '../compiler/probes.js';
import type { ProbeResult } from './events.js';

/** A sentence for a failed or skipped probe; undefined when the probe passed. */
export function diagnose(probe: ProbeResult, planned?: PlannedProbe): string | undefined {
  if (probe.result === 'pass') return undefined;
  const why = planned ? ` (the drawing says: ${planned.reason})` : '';
  if (probe.observed === 'unknown') return `could not probe${why}`;
  if (probe.expect === 'unreachable') {
    return `isolation broken: ${probe.from} reaches ${probe.to} although the drawing gives it no path; look for a route, forwarding or a NAT rule on the host that the drawing does not show`;
  }
  switch (planned?.origin) {
    case 'outside':
      return `no answer from outside: the host must forward (net.ipv4.ip_forward=1), masquerade ${probe.from}'s subnet out of its uplink, and the uplink must reach ${probe.address}${why}`;
    case 'port-forward':
      return `nothing answered on ${probe.address}: check that a server listens in the target namespace and that the DNAT rules are in place${why}`;
    case 'host':
      return `the host gets no answer from ${probe.to}: check the bridge address and that the namespace's interface is up${why}`;
    default:
      if (planned?.reason.includes('-> host ->')) {
        return `no answer through the host: its FORWARD chain may drop the traffic (a policy of DROP, as Docker sets, or br_netfilter)${why}`;
      }
      if (planned?.reason.includes(' -> ') && planned.reason.split(' -> ').length > 2) {
        return `no answer through a router: check that every router forwards (ip_forward) and has routes both ways${why}`;
      }
      return `no answer: check the addresses and that both ends are up and on the same segment${why}`;
  }
}
