/**
 * The port forward the designer proposes when the user adds one: to a namespace address that
 * has no forward yet, on the web server's port 80, and on the same port of the host (the
 * target's port, as the tutorial's step 8 does), unless another forward of the protocol holds
 * it; then the first free port from 8080.
 */
import { formatIp } from '../model/net.js';
import type { Doc } from './commands/common.js';
import { resolveDocument } from './view.js';

/** The port a new forward aims at: a web server's. */
export const PROPOSED_TARGET_PORT = 80;
/** Where host ports are looked for when the target's own port is taken on the host. */
export const FALLBACK_HOST_PORT = 8080;

export interface ProposedPortForward {
  id: string;
  proto: 'tcp';
  hostPort: number;
  to: string;
  toPort: number;
}

export function proposePortForward(doc: Doc, id: string): ProposedPortForward {
  const forwards = doc.nat?.portForwards ?? [];
  const aimed = new Set(forwards.map((f) => f.to));
  // A web server lives in a plain namespace; a router forwards, it serves nothing.
  const routers = new Set((doc.nodes ?? []).filter((n) => n.kind === 'namespace' && n.router === true).map((n) => n.id));
  const addresses = resolveDocument(doc)
    .ifaces.filter((i) => i.netns !== null && !routers.has(i.node))
    .flatMap((i) => i.addresses)
    .sort((x, y) => x.family - y.family)
    .map((c) => formatIp(c.family, c.value));
  const to = addresses.find((a) => !aimed.has(a)) ?? addresses[0] ?? '';
  const taken = new Set(forwards.filter((f) => (f.proto ?? 'tcp') === 'tcp').map((f) => f.hostPort));
  let hostPort = taken.has(PROPOSED_TARGET_PORT) ? FALLBACK_HOST_PORT : PROPOSED_TARGET_PORT;
  while (taken.has(hostPort)) hostPort++;
  return { id, proto: 'tcp', hostPort, to, toPort: PROPOSED_TARGET_PORT };
}
