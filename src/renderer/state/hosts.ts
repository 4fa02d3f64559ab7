/**
 * The Hosts dialog's decisions: what it tells about saved secrets (what main says is true for
 * this window: the desktop app with a real keychain, or memory only: the browser entry, or a desktop without one), and the request its form makes. Pure, tested under Node.
 */
import type { z } from 'zod';
import type { SaveTargetRequest, SecretsKept } from '../../shared/ipc/contract.js';

/** The note under the secret fields; before main has answered, the claim that promises least. */
export function secretsNote(kept: SecretsKept | undefined): string {
  if (kept === 'keychain') return 'Secrets are encrypted with the system keychain and never written in plain text.';
  return 'Secrets are kept in memory only, never written to a file: they last until the designer stops, then enter them again.';
}

/** The Hosts dialog's form: every field as typed ('' when empty). */
export interface TargetForm {
  id?: string;
  label: string;
  host: string;
  identityFile: string;
  socket: string;
  sudo: boolean;
  password: string;
  passphrase: string;
  sudoPassword: string;
}

/** The form as a `targets:save` request: empty optional fields are left out (an empty secret keeps the stored one). */
export function targetSaveRequest(form: TargetForm): z.input<typeof SaveTargetRequest> {
  return {
    ...(form.id ? { id: form.id } : {}),
    label: form.label,
    host: form.host,
    sudo: form.sudo,
    ...(form.identityFile ? { identityFile: form.identityFile } : {}),
    ...(form.socket ? { socket: form.socket } : {}),
    ...(form.password ? { password: form.password } : {}),
    ...(form.passphrase ? { passphrase: form.passphrase } : {}),
    ...(form.sudoPassword ? { sudoPassword: form.sudoPassword } : {}),
  };
}
