/**
 * Opens an ssh2 connection the way people log in to lab VMs: a private key (with passphrase),
 * ssh-agent, a password, keyboard-interactive. Host keys are checked against known_hosts; an
 * unknown key needs the user's yes, a changed key is refused.
 */
import type { Duplex } from 'node:stream';
import ssh2, { Client, type ConnectConfig } from 'ssh2';
import { authMethods } from './auth-methods.js';
import type { RunErrorKind } from '../../shared/deploy/events.js';
import { fingerprint, hostKeyVerdict, type KnownHostEntry, type PinnedHostKey } from './known-hosts.js';

export interface ConnectOptions {
  host: string;
  port?: number;
  username: string;
  privateKey?: Buffer | string;
  passphrase?: string;
  /** Path of the ssh-agent socket (usually SSH_AUTH_SOCK). */
  agent?: string;
  password?: string;
  /** An already connected stream to the SSH server (a tunnel or a unix socket to a sandbox). */
  sock?: Duplex;
  knownHosts: readonly KnownHostEntry[];
  /** The one key to accept (the sandbox lab host's, from its lab.json); known_hosts is then not consulted. */
  pinnedHostKey?: PinnedHostKey;
  /** Asked for a key that is not known yet; resolve true to trust it. */
  confirmHostKey?: (fingerprint: string, host: string, port: number) => Promise<boolean>;
  /** Connect and authentication timeout in ms (default 15 s); the time spent in confirmHostKey does not count. */
  readyTimeoutMs?: number;
  /**
   * What is left of the whole run's time limit (the user's --timeout). When it ends before the
   * login clock, giving up is a 'timeout', named as the user's limit; confirmHostKey's time does not count.
   */
  timeLeftMs?: number;
  /** The whole limit in ms, for the message (default timeLeftMs). */
  timeLimitMs?: number;
  /** Gives up connecting (a ConnectError of kind 'cancelled'). */
  signal?: AbortSignal;
  /** Narrows and orders the login methods, with ssh's names (PreferredAuthentications). */
  preferredAuthentications?: readonly string[];
}

/** A refusal or failure while connecting, with the class of problem. */
export class ConnectError extends Error {
  constructor(
    readonly kind: RunErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface Connection {
  client: Client;
  /** Fingerprint of the host key that was accepted. */
  fingerprint: string;
  /** The key blob, for storing a newly trusted key. */
  hostKey: Buffer;
  /** True when the key was not known before and the user trusted it now. */
  newlyTrusted: boolean;
}

/** Connects and authenticates; rejects with a ConnectError naming what went wrong. */
export function connect(options: ConnectOptions): Promise<Connection> {
  const port = options.port ?? 22;
  const client = new Client();
  let refusal: ConnectError | undefined;
  let accepted: { key: Buffer; newlyTrusted: boolean } | undefined;
  const refuse = (error: ConnectError): Promise<never> => {
    // A stream handed to us is ours to close; its late errors (a missing socket) have no one else to go to.
    options.sock?.on('error', () => undefined);
    options.sock?.destroy();
    return Promise.reject(error);
  };

  if (options.signal?.aborted) return refuse(new ConnectError('cancelled', 'cancelled before connecting; nothing ran'));
  // ssh2 would throw from connect(); a user needs to hear which key and why.
  if (options.privateKey !== undefined) {
    // Through the default export: Node's ESM loader does not see ssh2's `utils` as a named export.
    const parsed = ssh2.utils.parseKey(options.privateKey, options.passphrase);
    if (parsed instanceof Error) {
      const hint = /passphrase|decrypt|bad decrypt/i.test(parsed.message) ? (options.passphrase === undefined ? '; it needs a passphrase' : '; the passphrase is wrong') : '';
      return refuse(new ConnectError('auth', `cannot use the private key: ${parsed.message}${hint}`));
    }
  }
  const methods = authMethods(options, options.preferredAuthentications);
  if (methods.length === 0) {
    return refuse(new ConnectError('auth', `no way to log in as ${options.username}: give a private key, an ssh-agent (SSH_AUTH_SOCK) or a password`));
  }

  // Our own limit instead of ssh2's readyTimeout, which would also count the minutes a person
  // takes to read a host key fingerprint: the clock stops while confirmHostKey is asking.
  const loginMs = options.readyTimeoutMs ?? 15_000;
  const limited = options.timeLeftMs !== undefined && options.timeLeftMs < loginMs;
  const readyMs = limited ? Math.max(0, options.timeLeftMs!) : loginMs;
  let readyTimer: NodeJS.Timeout | undefined;
  let onReadyTimeout = (): void => undefined;
  let over = false;
  const startClock = (): void => {
    clearTimeout(readyTimer);
    if (over) return;
    readyTimer = setTimeout(() => onReadyTimeout(), readyMs);
  };
  const stopClock = (): void => {
    over = true;
    clearTimeout(readyTimer);
  };
  const pauseClock = (): void => clearTimeout(readyTimer);

  const config: ConnectConfig = {
    host: options.host,
    port,
    username: options.username,
    readyTimeout: 0,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    tryKeyboard: methods.includes('keyboard-interactive'),
    authHandler: [...methods],
    ...(options.sock ? { sock: options.sock } : {}),
    ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    ...(options.agent !== undefined ? { agent: options.agent } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      const print = fingerprint(key);
      const verdict = hostKeyVerdict({ entries: options.knownHosts, host: options.host, port, key, ...(options.pinnedHostKey ? { pinned: options.pinnedHostKey } : {}) });
      if (verdict.decision === 'trust') {
        accepted = { key, newlyTrusted: false };
        verify(true);
        return;
      }
      if (verdict.decision === 'refuse') {
        refusal = new ConnectError('host-key-changed', verdict.message);
        verify(false);
        return;
      }
      const ask = options.confirmHostKey ?? (() => Promise.resolve(false));
      pauseClock();
      ask(print, options.host, port).then(
        (yes) => {
          startClock();
          if (yes) accepted = { key, newlyTrusted: true };
          else refusal = new ConnectError('host-key-unknown', `the host key of ${options.host}:${port} is not known (${print}) and was not trusted; nothing was run`);
          verify(yes);
        },
        () => (startClock(), verify(false)),
      );
    },
  };

  return new Promise<Connection>((resolve, reject) => {
    let answered = false;
    let ready = false;
    const giveUp = (error: ConnectError): void => {
      if (ready) return;
      stopClock();
      reject(error);
      client.destroy();
    };
    onReadyTimeout = () =>
      giveUp(
        limited
          ? new ConnectError('timeout', `the time limit of ${(options.timeLimitMs ?? readyMs) / 1000} s ran out while connecting to ${options.host}:${port}; nothing ran`)
          : new ConnectError('connect', `no SSH answer from ${options.host}:${port} within ${readyMs / 1000} s`),
      );
    const onAbort = (): void => giveUp(new ConnectError('cancelled', 'cancelled while connecting; nothing ran'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('close', () => {
      stopClock();
      options.signal?.removeEventListener('abort', onAbort);
      // After an 'error' this changes nothing; a server that just hangs up would otherwise leave us waiting.
      if (!ready) reject(refusal ?? new ConnectError('connect', `${options.host}:${port} closed the connection before the login finished`));
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      // Answer the password prompt once: a second round means it was refused, and repeating it
      // would only burn the server's MaxAuthTries. A round without prompts needs no answer.
      if (prompts.length > 0 && answered) return finish(prompts.map(() => ''));
      if (prompts.length > 0) answered = true;
      finish(prompts.map(() => options.password ?? ''));
    });
    client.once('ready', () => {
      ready = true;
      stopClock();
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ client, fingerprint: fingerprint(accepted!.key), hostKey: accepted!.key, newlyTrusted: accepted!.newlyTrusted });
    });
    // Always listening: ssh2 may report several errors (and more after ready, when the link
    // drops mid-run); an 'error' without a listener would crash the process. After ready the
    // 'close' that follows is what the runner reports.
    client.on('error', (err: Error & { level?: string }) => {
      if (ready) return;
      stopClock();
      client.end();
      if (refusal) reject(refusal);
      else if (err.level === 'client-authentication') reject(new ConnectError('auth', `${options.username}@${options.host}: every login method was refused (${err.message}); check the user, key or password`));
      else reject(new ConnectError('connect', `cannot connect to ${options.host}:${port}: ${err.message}`));
    });
    try {
      startClock();
      client.connect(config);
    } catch (e) {
      // ssh2 reads the key before connecting: a wrong passphrase or a broken key file lands here.
      giveUp(new ConnectError('auth', `cannot use the private key: ${(e as Error).message}; check the key file and its passphrase`));
    }
  });
}
