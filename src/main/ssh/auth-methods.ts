/**
 * Which login methods to offer, in which order. OpenSSH's order (publickey, then
 * keyboard-interactive, then password) keeps secrets off the wire when a key works; an
 * explicit list (ssh's PreferredAuthentications) narrows and reorders it.
 */

/** The login methods the connection knows how to use. */
export type AuthMethod = 'publickey' | 'agent' | 'keyboard-interactive' | 'password';

const DEFAULT_ORDER: readonly AuthMethod[] = ['publickey', 'agent', 'keyboard-interactive', 'password'];

export interface AuthCredentials {
  privateKey?: unknown;
  agent?: string;
  password?: string;
}

/**
 * The methods to try, given what the user supplied. `preferred` uses ssh's names
 * (`publickey` covers both a key file and the agent, as in ssh_config).
 */
export function authMethods(creds: AuthCredentials, preferred?: readonly string[]): AuthMethod[] {
  const usable = DEFAULT_ORDER.filter((m) => {
    if (m === 'publickey') return creds.privateKey !== undefined;
    if (m === 'agent') return creds.agent !== undefined && creds.agent !== '';
    return creds.password !== undefined;
  });
  if (!preferred) return usable;
  return preferred.flatMap((name) => usable.filter((m) => m === name || (name === 'publickey' && m === 'agent')));
}
