/** The app's modal dialogs: host-key trust, saved SSH hosts, and a path prompt for browser mode. */
import { useEffect, useRef, useState } from 'react';
import type { SavedTarget, SecretsKept } from '../../shared/ipc/contract.js';
import { secretsNote, type TargetForm } from '../state/hosts.js';

/** A dialog over the page; Escape closes it wherever the focus is (also on the page behind it). */
export function Modal(props: { title: string; children: React.ReactNode; onClose(): void; testId?: string }) {
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      // Before the designer's own keys: Escape closes the dialog and does nothing else.
      e.preventDefault();
      e.stopImmediatePropagation();
      close.current();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

export function HostKeyPrompt(props: { host: string; port: number; fingerprint: string; onAnswer(trust: boolean): void }) {
  return (
    <Modal title="Unknown host key" onClose={() => props.onAnswer(false)} testId="host-key-prompt">
      <p>
        The host <code>{props.host}:{props.port}</code> is not known yet. Its key fingerprint is
      </p>
      <p>
        <code className="fingerprint">{props.fingerprint}</code>
      </p>
      <p>Compare it with the host's own (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on the host) before you trust it.</p>
      <div className="buttons">
        <button type="button" onClick={() => props.onAnswer(false)}>
          Refuse
        </button>
        <button type="button" className="primary" onClick={() => props.onAnswer(true)} data-testid="trust-host-key">
          Trust and connect
        </button>
      </div>
    </Modal>
  );
}

export function TargetsDialog(props: { targets: readonly SavedTarget[]; secrets: SecretsKept | undefined; onSave(form: TargetForm): Promise<string | null>; onRemove(id: string): void; onClose(): void }) {
  const blank: TargetForm = { label: '', host: '', identityFile: '', socket: '', sudo: false, password: '', passphrase: '', sudoPassword: '' };
  const [form, setForm] = useState<TargetForm>(blank);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<TargetForm>) => setForm({ ...form, ...patch });
  const secretHint = (has: boolean) => (has ? 'stored; leave empty to keep' : '');
  const editing = props.targets.find((t) => t.id === form.id);
  return (
    <Modal title="SSH hosts" onClose={props.onClose} testId="targets-dialog">
      <ul className="target-list">
        {props.targets.map((t) => (
          <li key={t.id}>
            <strong>{t.label}</strong> <code>{t.host}</code> {t.sudo ? '(sudo)' : ''}
            <button type="button" onClick={() => setForm({ ...blank, id: t.id, label: t.label, host: t.host, identityFile: t.identityFile ?? '', socket: t.socket ?? '', sudo: t.sudo })}>
              Edit
            </button>
            <button type="button" onClick={() => props.onRemove(t.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void props.onSave(form).then((err) => {
            setError(err);
            if (err === null) setForm(blank);
          });
        }}
      >
        <label className="field">
          <span>label</span>
          <input value={form.label} onChange={(e) => set({ label: e.target.value })} placeholder="lab VM" data-testid="target-label" />
        </label>
        <label className="field">
          <span>host</span>
          <input value={form.host} onChange={(e) => set({ host: e.target.value })} placeholder="user@lab-vm:22 or an ~/.ssh/config alias" data-testid="target-host" />
        </label>
        <label className="field">
          <span>key file</span>
          <input value={form.identityFile} onChange={(e) => set({ identityFile: e.target.value })} placeholder="~/.ssh/id_ed25519 (optional; the agent is used too)" data-testid="target-key" />
        </label>
        <label className="field">
          <span>unix socket (advanced)</span>
          <input value={form.socket} onChange={(e) => set({ socket: e.target.value })} placeholder="only for a sandbox lab host reached through a socket" data-testid="target-socket" />
        </label>
        <label className="check">
          <input type="checkbox" checked={form.sudo} onChange={(e) => set({ sudo: e.target.checked })} />
          <span>not root: use sudo</span>
        </label>
        <label className="field">
          <span>password</span>
          <input type="password" value={form.password} onChange={(e) => set({ password: e.target.value })} placeholder={secretHint(editing?.hasPassword ?? false)} autoComplete="off" />
        </label>
        <label className="field">
          <span>key passphrase</span>
          <input type="password" value={form.passphrase} onChange={(e) => set({ passphrase: e.target.value })} placeholder={secretHint(editing?.hasPassphrase ?? false)} autoComplete="off" />
        </label>
        <label className="field">
          <span>sudo password</span>
          <input type="password" value={form.sudoPassword} onChange={(e) => set({ sudoPassword: e.target.value })} placeholder={secretHint(editing?.hasSudoPassword ?? false)} autoComplete="off" />
        </label>
        <p className="hint" data-testid="secrets-note">{secretsNote(props.secrets)}</p>
        {error && <p className="error">{error}</p>}
        <div className="buttons">
          <button type="button" onClick={props.onClose}>
            Close
          </button>
          <button type="submit" className="primary" data-testid="target-save">
            {form.id ? 'Save changes' : 'Add host'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Browser mode has no native dialogs: ask for a path inside the workspace. */
export function PathPrompt(props: { title: string; initial: string; workspace?: string; recent?: readonly string[]; onAnswer(path: string | null): void }) {
  const [path, setPath] = useState(props.initial);
  return (
    <Modal title={props.title} onClose={() => props.onAnswer(null)} testId="path-prompt">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onAnswer(path.trim() || null);
        }}
      >
        <label className="field">
          <span>file{props.workspace ? ` (in ${props.workspace})` : ''}</span>
          <input autoFocus value={path} onChange={(e) => setPath(e.target.value)} data-testid="path-input" />
        </label>
        {props.recent && props.recent.length > 0 && (
          <div className="recent" data-testid="recent-files">
            <span className="hint">Recent:</span>
            <ul>
              {props.recent.map((r) => (
                <li key={r}>
                  <button type="button" className="link" onClick={() => props.onAnswer(r)} title={r}>
                    {props.workspace && r.startsWith(`${props.workspace}/`) ? r.slice(props.workspace.length + 1) : r}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="buttons">
          <button type="button" onClick={() => props.onAnswer(null)}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="path-ok">
            OK
          </button>
        </div>
      </form>
    </Modal>
  );
}
