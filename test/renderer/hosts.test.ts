import { describe, expect, it } from 'vitest';
import { secretsNote } from '../../src/renderer/state/hosts.js';

describe('hosts', () => {
  it('claims the keychain only where main keeps secrets with it', () => {
    expect(secretsNote('keychain')).toContain('encrypted with the system keychain');
    for (const kept of ['memory', undefined] as const) {
      expect(secretsNote(kept)).not.toContain('keychain');
      expect(secretsNote(kept)).toContain('in memory only');
    }
  });
});
