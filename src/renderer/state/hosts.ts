/**
 * What the Hosts dialog tells about saved secrets: what main says is true for this window (the
 * desktop app with a real keychain, or memory only: the browser entry, or a desktop without one).
 * Pure, tested under Node.
 */
import type { SecretsKept } from '../../shared/ipc/contract.js';

/** The note under the secret fields; before main has answered, the claim that promises least. */
export function secretsNote(kept: SecretsKept | undefined): string {
  if (kept === 'keychain') return 'Secrets are encrypted with the system keychain and never written in plain text.';
  return 'Secrets are kept in memory only, never written to a file: they last until the designer stops, then enter them again.';
}
