/**
 * The local sandbox lab host's fixed facts and its `lab.json`: names, addresses, the state
 * directory, the connection details a deploy needs, and how they are printed. Pure: no
 * processes, no file system.
 */
import { z } from 'zod';
import { DEFAULT_LAB_NAME, labNameProblem } from '../../shared/ipc/contract.js';
import type { PinnedHostKey } from '../ssh/known-hosts.js';

/** Addresses and interface names of every sandbox lab host: documentation ranges only. */
export const LAB_NET = {
  /** The sandbox's end of the management veth (in the sandbox's private root namespace). */
  sandboxAddress: '198.51.100.1',
  sandboxInterface: 'lab-mgmt',
  /** The lab host's management address, where its sshd listens. */
  mgmtAddress: '198.51.100.2',
  mgmtInterface: 'mgmt0',
  /** The lab host's uplink towards the "internet". */
  uplink: 'eth0',
  uplinkAddress: '203.0.113.2',
  /** The "internet": a namespace with a small HTTP server on port 80. */
  upstreamAddress: '203.0.113.1',
  upstreamInterface: 'eth0',
  prefixLength: 24,
  sshPort: 22,
  httpPort: 80,
} as const;

export { DEFAULT_LAB_NAME, labNameProblem } from '../../shared/ipc/contract.js';

/** Where lab state lives unless NSD_LAB_DIR says otherwise. */
export const DEFAULT_LAB_BASE = '/run/nsd-lab';

/** The page the upstream HTTP server answers every request with. */
export const UPSTREAM_PAGE = 'nsd lab upstream: hello from 203.0.113.1\n';


/** The base directory of all labs: NSD_LAB_DIR when set, /run/nsd-lab otherwise. */
export function labBaseDir(env: Record<string, string | undefined>): string {
  const dir = env.NSD_LAB_DIR;
  return dir !== undefined && dir !== '' ? dir.replace(/\/+$/, '') || '/' : DEFAULT_LAB_BASE;
}

/**
 * The state directory of lab `name`. Refuses (throws) a name that is not a lab name: the
 * directory is created and removed recursively as root, so no caller is trusted to have checked.
 */
export function labDir(name: string, env: Record<string, string | undefined>): string {
  const problem = labNameProblem(name);
  if (problem !== undefined) throw new Error(problem);
  const base = labBaseDir(env);
  return `${base === '/' ? '' : base}/${name}`;
}

/** A unix socket path must fit in sockaddr_un (108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Why `dir` cannot hold a lab's state, or undefined when it can. The path is written into
 * sshd_config and ssh_config, which have their own quoting, so only plain characters are allowed.
 */
export function labDirProblem(dir: string): string | undefined {
  if (!dir.startsWith('/')) return `lab directory ${JSON.stringify(dir)} is not absolute; set NSD_LAB_DIR to an absolute path`;
  if (!/^[A-Za-z0-9_./+@-]+$/.test(dir)) {
    return `lab directory ${JSON.stringify(dir)} holds characters sshd_config or mount options cannot take (spaces, quotes, ",", ":", "=", ...); set NSD_LAB_DIR to a plain path`;
  }
  if (Buffer.byteLength(`${dir}/ssh.sock`) > MAX_SOCKET_PATH) {
    return `lab directory ${dir} is too long for a unix socket path (${MAX_SOCKET_PATH} bytes at most for ${dir}/ssh.sock); set NSD_LAB_DIR to a shorter path`;
  }
  return undefined;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The connection details of a running lab, as stored in `lab.json` and printed by `up --json`. */
export const labInfoSchema = z
  .object({
    name: z.string().refine((n) => labNameProblem(n) === undefined, 'not a lab name'),
    /** The unix socket that leads to the lab host's sshd. */
    socket: z.string().startsWith('/'),
    /** The address sshd listens on inside the sandbox; known_hosts entries use it. */
    host: z.literal(LAB_NET.mgmtAddress),
    port: z.literal(LAB_NET.sshPort),
    user: z.literal('root'),
    /** The generated client key (OpenSSH format, no passphrase). */
    privateKey: z.string().startsWith('/'),
    /** As `ssh-keygen -lf` prints it: SHA256:base64-without-padding. */
    hostKeyFingerprint: z.string().regex(FINGERPRINT, 'not a SHA256 fingerprint'),
    /** A known_hosts line that trusts the lab's host key. */
    hostKeyLine: z.string().regex(/^198\.51\.100\.2 ssh-ed25519 [A-Za-z0-9+/]+={0,2}$/, 'not a known_hosts line for the lab host'),
    /** A known_hosts file holding `hostKeyLine`. */
    knownHosts: z.string().startsWith('/'),
    /** An ssh_config with a `Host lab` entry (`ssh -F FILE lab`). */
    sshConfig: z.string().startsWith('/'),
    upstream: z.literal(LAB_NET.upstreamAddress),
    uplink: z.literal(LAB_NET.uplink),
    createdAt: z.iso.datetime(),
  })
  .strict();

export type LabInfo = z.infer<typeof labInfoSchema>;

/** Parses lab.json text; throws an Error naming the file and the first bad field. */
export function parseLabInfo(text: string, file = 'lab.json'): LabInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const result = labInfoSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** The fingerprint in `ssh-keygen -lf KEY` output ("256 SHA256:... comment (ED25519)"). */
export function parseKeygenFingerprint(output: string): string {
  const match = /\b(SHA256:[A-Za-z0-9+/]{43})\b/.exec(output);
  if (!match?.[1]) throw new Error(`ssh-keygen -lf printed no SHA256 fingerprint: ${JSON.stringify(output.trim())}`);
  return match[1];
}

/** The known_hosts line for an OpenSSH public key file's text ("ssh-ed25519 AAAA... comment"). */
export function hostKeyLineFor(publicKey: string, host: string = LAB_NET.mgmtAddress): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new Error(`not an OpenSSH public key: ${JSON.stringify(publicKey.slice(0, 40))}`);
  return `${host} ${type} ${blob}`;
}

/** `nsd lab CMD` with `--name` when the lab is not the default one. */
export function labCommandLine(action: 'up' | 'down' | 'status', name: string): string {
  return `nsd lab ${action}${name === DEFAULT_LAB_NAME ? '' : ` --name ${name}`}`;
}

/**
 * The host key a deploy through `socket` must see, when `labJsonText` (the lab.json in the
 * socket's directory, at `labJsonPath`) describes a lab host served on that very socket:
 * the sandbox lab host is trusted by its own record, never through known_hosts. Undefined when
 * the text is no valid lab.json of that socket (then known_hosts decides, as for any host).
 */
export function labHostKeyPin(socket: string, labJsonPath: string, labJsonText: string): PinnedHostKey | undefined {
  let info: LabInfo;
  try {
    info = parseLabInfo(labJsonText, labJsonPath);
  } catch {
    return undefined;
  }
  if (info.socket !== socket) return undefined;
  const blob = info.hostKeyLine.split(' ')[2]!;
  return {
    key: Buffer.from(blob, 'base64'),
    source: labJsonPath,
    fix: `The sandbox lab host behind ${socket} is not the one its lab.json describes; rebuild it: ${labCommandLine('down', info.name)}; ${labCommandLine('up', info.name)}`,
  };
}

/** How the CLI prints a lab's connection details. */
export function formatLabInfo(info: LabInfo, created: boolean): string {
  const q = (s: string): string => (/^[A-Za-z0-9_./:@=,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [
    created ? `Lab "${info.name}" is up.` : `Lab "${info.name}" is already up; nothing changed.`,
    '',
    `  socket         ${info.socket}`,
    `  host           ${info.user}@${info.host}:${info.port} (through the socket only)`,
    `  private key    ${info.privateKey}`,
    `  host key       ${info.hostKeyFingerprint}`,
    `  known_hosts    ${info.hostKeyLine}`,
    `  upstream       ${info.upstream} (HTTP on port ${LAB_NET.httpPort}), via the lab host's ${info.uplink}`,
    '',
    'Deploy a topology to it:',
    `  nsd deploy FILE --host ${info.user}@${info.host} -i ${q(info.privateKey)} --socket ${q(info.socket)}`,
    `  (through this socket the host key is checked against ${info.hostKeyFingerprint} from its lab.json; nothing is written to known_hosts)`,
    'Log in with OpenSSH:',
    `  ssh -F ${q(info.sshConfig)} lab`,
    'Take it down:',
    `  ${labCommandLine('down', info.name)}`,
    '',
  ].join('\n');
}
