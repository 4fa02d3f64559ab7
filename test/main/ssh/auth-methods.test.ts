import { describe, expect, it } from 'vitest';
import { authMethods } from '../../../src/main/ssh/auth-methods.js';

describe('auth-methods', () => {
  it.each([
    ['a key', { privateKey: 'k' }, undefined, ['publickey']],
    ['an agent', { agent: '/run/agent.sock' }, undefined, ['agent']],
    ['an empty agent path', { agent: '' }, undefined, []],
    ['a password', { password: 'pw' }, undefined, ['keyboard-interactive', 'password']],
    ['everything', { privateKey: 'k', agent: '/a', password: 'pw' }, undefined, ['publickey', 'agent', 'keyboard-interactive', 'password']],
    ['nothing', {}, undefined, []],
    ['password preferred first', { privateKey: 'k', password: 'pw' }, ['password', 'publickey'], ['password', 'publickey']],
    ['publickey covering the agent', { privateKey: 'k', agent: '/a', password: 'pw' }, ['publickey'], ['publickey', 'agent']],
    ['only keyboard-interactive', { password: 'pw' }, ['keyboard-interactive'], ['keyboard-interactive']],
    ['a preferred method without credentials', { password: 'pw' }, ['publickey'], []],
  ] as const)('offers the right methods for %s', (_what, creds, preferred, expected) => {
    expect(authMethods(creds, preferred)).toEqual(expected);
  });
});
