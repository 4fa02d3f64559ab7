import { describe, expect, it } from 'vitest';
import { parseTarget, resolveTarget } from '../../../src/main/ssh/target.js';

const CONFIG = `
Host lab
  HostName 192.0.2.10
  Port 2222
  User alice
  IdentityFile ~/.ssh/lab_key

Host *.test
  User bob
`;

describe('target', () => {
  it.each([
    ['lab-vm', { host: 'lab-vm' }],
    ['root@lab-vm', { user: 'root', host: 'lab-vm' }],
    ['root@192.0.2.1:2200', { user: 'root', host: '192.0.2.1', port: 2200 }],
    ['[2001:db8::1]:2200', { host: '2001:db8::1', port: 2200 }],
    ['2001:db8::1', { host: '2001:db8::1' }],
  ])('parses %s', (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it.each(['', 'root@', '@host', 'host:abc', 'host:70000', 'a b'])('refuses %j with a message', (text) => {
    expect(() => parseTarget(text)).toThrow(/host|port|user/);
  });

  it('resolves an alias from ssh config, and lets the command line win', () => {
    expect(resolveTarget('lab', CONFIG, { user: 'me', home: '/home/me' })).toEqual({ alias: 'lab', host: '192.0.2.10', port: 2222, user: 'alice', identityFiles: ['/home/me/.ssh/lab_key'] });
    expect(resolveTarget('root@lab:22', CONFIG, { user: 'me', home: '/home/me' })).toMatchObject({ host: '192.0.2.10', port: 22, user: 'root' });
    expect(resolveTarget('x.test', CONFIG, { user: 'me', home: '/h' })).toEqual({ alias: 'x.test', host: 'x.test', port: 22, user: 'bob', identityFiles: [] });
    expect(resolveTarget('plain', '', { user: 'me', home: '/h' })).toEqual({ alias: 'plain', host: 'plain', port: 22, user: 'me', identityFiles: [] });
  });
});
