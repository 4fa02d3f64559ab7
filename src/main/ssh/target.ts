/**
 * Where to deploy: `[user@]host[:port]` (IPv6 in brackets), resolved through ~/.ssh/config
 * host aliases (HostName, Port, User, IdentityFile) with the maintained ssh-config parser.
 */
import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';

export interface Target {
  /** What the user wrote (the alias), for messages. */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
}

export class TargetError extends Error {}

/** Splits `[user@]host[:port]`; the port defaults to undefined (so ssh config may set it). */
export function parseTarget(text: string): { user?: string; host: string; port?: number } {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  let rest = at >= 0 ? text.slice(at + 1) : text;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    rest = h!;
    if (!/^\d+$/.test(p!)) throw new TargetError(`"${text}": the port must be a number, like host:2222`);
    port = Number(p);
  }
  if (rest === '' || /[\s/]/.test(rest)) throw new TargetError(`"${text}" is not a host; write [user@]host[:port]`);
  if (user === '' || (user !== undefined && /[\s:]/.test(user))) throw new TargetError(`"${text}": the user name is empty or malformed`);
  if (port !== undefined && (port < 1 || port > 65535)) throw new TargetError(`"${text}": port ${port} is out of range`);
  return { ...(user !== undefined ? { user } : {}), host: rest, ...(port !== undefined ? { port } : {}) };
}

/** `~` and `~/...` as ssh and the shell read them. */
export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? `${home}${path.slice(1)}` : path;
}

/** Resolves a target through ssh config text (the content of ~/.ssh/config, or '' when there is none). */
export function resolveTarget(text: string, sshConfig: string, defaults: { user: string; home?: string }): Target {
  const written = parseTarget(text);
  const home = defaults.home ?? homedir();
  const computed = SSHConfig.parse(sshConfig).compute(written.host) as Record<string, string | string[] | undefined>;
  const one = (key: string): string | undefined => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const configPort = one('Port');
  const identity = computed.IdentityFile;
  return {
    alias: written.host,
    host: one('HostName') ?? written.host,
    port: written.port ?? (configPort !== undefined ? Number(configPort) : 22),
    user: written.user ?? one('User') ?? defaults.user,
    identityFiles: (Array.isArray(identity) ? identity : identity ? [identity] : []).map((p) => expandHome(p, home)),
  };
}
