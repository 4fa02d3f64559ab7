/**
 * Names: namespace names once, interface names free in the root namespace (where namespace ends
 * are created first) and in each namespace, none reserved by the kernel, none the ip command
 * reads as a keyword.
 */
import { ipKeyword, RESERVED_IFNAMES } from '../../model/names.js';
import type { Iface } from '../../model/resolve.js';
import { describeIface, report, type Context } from './context.js';

/** Where an interface's name is written, and how to change it. */
function nameField(ctx: Context, i: Iface): { path: string; fix: string } {
  if (i.kind === 'bridge') {
    const node = ctx.r.nodes.get(i.element);
    return { path: `${i.path}.${node?.kind === 'bridge' && node.name !== undefined ? 'name' : 'id'}`, fix: 'pick another name' };
  }
  if (i.generated) return { path: i.path, fix: `the name was generated, so set "ifname" on this end to another name` };
  return { path: `${i.path}.ifname`, fix: 'pick another name' };
}

/** Reports namespace and interface names that clash, are reserved, or that ip misreads. */
export function checkNames(ctx: Context): void {
  const { r } = ctx;
  const namespaces = new Map<string, string>();
  r.netnsOf.forEach((netns, id) => {
    const other = namespaces.get(netns);
    if (other === undefined) {
      namespaces.set(netns, id);
      return;
    }
    const index = ctx.nodeIndex.get(id)!;
    const node = r.doc.nodes[index];
    report(ctx, 'error', id, `nodes[${index}].${node?.kind === 'namespace' && node.name !== undefined ? 'name' : 'id'}`, `namespace name "${netns}" is already used by node ${other}; pick another name`);
  });

  // Root-namespace names first: namespace ends are created there too before they move.
  // The owner of each name, described (a string) or as the interface, described when a message needs it.
  const root = new Map<string, string | Iface>();
  const describe = (owner: string | Iface): string => (typeof owner === 'string' ? owner : describeIface(owner));
  const host = r.hostId === undefined ? undefined : r.nodes.get(r.hostId);
  if (host?.kind === 'host') root.set(host.uplink, "the host's uplink");
  const rootIfaces = r.ifaces.filter((i) => i.netns === null);
  const nsIfaces = r.ifaces.filter((i) => i.netns !== null);
  const checkIface = (i: Iface): void => {
    const what = i.kind === 'bridge' ? 'bridge name' : 'interface name';
    if (RESERVED_IFNAMES.has(i.name)) {
      const { path, fix } = nameField(ctx, i);
      report(ctx, 'error', i.element, path, `${what} "${i.name}" is reserved by the kernel ("lo" is the loopback device, "all" and "default" name sysctl settings); ${fix}`);
      return;
    }
    const keyword = ipKeyword(i.name);
    if (keyword !== undefined) {
      const { path, fix } = nameField(ctx, i);
      const as = keyword === i.name ? `its keyword "${keyword}"` : `"${keyword}" (ip accepts keywords abbreviated)`;
      report(ctx, 'error', i.element, path, `${what} "${i.name}" is read by the ip command as ${as}, so lab.sh could not create or configure it; ${fix}`);
      return;
    }
    const rootOwner = root.get(i.name);
    if (i.netns === null) {
      if (rootOwner) {
        const { path, fix } = nameField(ctx, i);
        report(ctx, 'error', i.element, path, `${what} "${i.name}" is already used by ${describe(rootOwner)} in the host's root namespace; ${fix}`);
      } else root.set(i.name, i);
    } else if (rootOwner) {
      const { path, fix } = nameField(ctx, i);
      report(ctx, 'error', i.element, path, `interface name "${i.name}" is also used by ${describe(rootOwner)} in the host's root namespace, where veth ends are created before moving into ${i.netns}; ${fix}`);
    }
  };
  // forEach, not for...of: that makes an object per interface until this run-once function is optimized.
  rootIfaces.forEach(checkIface);
  nsIfaces.forEach(checkIface);
  // Each namespace's first interface on its own and a map of names only from its second: most namespaces hold one.
  const perNamespace = new Map<string, Iface | Map<string, Iface>>();
  nsIfaces.forEach((i) => {
    const netns = i.netns!;
    const held = perNamespace.get(netns);
    if (held === undefined) {
      perNamespace.set(netns, i);
      return;
    }
    let names = held;
    if (!(names instanceof Map)) {
      names = new Map([[names.name, names]]);
      perNamespace.set(netns, names);
    }
    const other = names.get(i.name);
    if (!other) names.set(i.name, i);
    else if (!RESERVED_IFNAMES.has(i.name)) {
      const { path, fix } = nameField(ctx, i);
      report(ctx, 'error', i.element, path, `interface name "${i.name}" is already used in namespace ${i.netns} by link ${other.element}; ${fix}`);
    }
  });
}
