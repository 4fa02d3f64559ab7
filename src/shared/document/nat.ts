/**
 * What a new port forward proposes: a web server (port 80) in the first namespace that has an
 * address and no forward yet, reached on the same port on the host when no other forward of the
 * protocol holds it (else 8080, 8081, ...). Pure: the properties panel's "+ add" uses it.
 */
import type { Doc } from './commands.js';

/** The port a new forward points at in the namespace: a web server, as in the tutorial. */
export const DEFAULT_TARGET_PORT = 80;

export interface ProposedForward {
  proto: 'tcp';
  hostPort: number;
  to: string;
  toPort: number;
}

export function proposePortForward(doc: Doc): ProposedForward {
  const forwards = doc.nat?.portForwards ?? [];
  const namespaces = new Set((doc.nodes ?? []).filter((n) => n.kind === 'namespace' && n.router !== true).map((n) => n.id));
  const addresses: string[] = [];
  for (const l of doc.links ?? []) {
    for (const end of [l.a, l.b]) if (namespaces.has(end.node)) for (const a of end.addresses ?? []) addresses.push(a.split('/')[0]!);
  }
  const targeted = new Set(forwards.map((f) => f.to));
  // No address to point at: an empty field (its hint says what goes there), never a made-up one.
  const to = addresses.find((a) => !targeted.has(a)) ?? addresses[0] ?? '';
  const taken = new Set(forwards.filter((f) => (f.proto ?? 'tcp') === 'tcp').map((f) => f.hostPort));
  let hostPort = DEFAULT_TARGET_PORT;
  if (taken.has(hostPort)) for (hostPort = 8000 + DEFAULT_TARGET_PORT; taken.has(hostPort); hostPort++);
  return { proto: 'tcp', hostPort, to, toPort: DEFAULT_TARGET_PORT };
}
