import { describe, expect, it } from 'vitest';
import { secretsNote, targetSaveRequest } from '../../src/renderer/state/hosts.js';

describe('hosts', () => {
  it('claims the keychain only where main keeps secrets with it', () => {
    expect(secretsNote('keychain')).toContain('encrypted with the system keychain');
    for (const kept of ['memory', undefined] as const) {
      expect(secretsNote(kept)).not.toContain('keychain');
      expect(secretsNote(kept)).toContain('in memory only');
    }
  });
});

describe('hosts: the form as a request', () => {
  const form = { label: 'lab VM', host: 'me@vm', identityFile: '', socket: '', sudo: true, password: '', passphrase: '', sudoPassword: '' };
  it('leaves empty fields out, so an empty secret keeps the stored one', () => {
    expect(targetSaveRequest(form)).toEqual({ label: 'lab VM', host: 'me@vm', sudo: true });
  });
  it('carries what was typed, and the id of the host being edited', () => {
    expect(targetSaveRequest({ ...form, id: 'h1', identityFile: '~/.ssh/id', socket: '/run/s', password: 'p', passphrase: 'q', sudoPassword: 'r' })).toEqual({
      id: 'h1',
      label: 'lab VM',
      host: 'me@vm',
      sudo: true,
      identityFile: '~/.ssh/id',
      socket: '/run/s',
      password: 'p',
      passphrase: 'q',
      sudoPassword: 'r',
    });
  });
});
