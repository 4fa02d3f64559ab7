import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/main/ssh/known-hosts.js';
import {
  DEFAULT_LAB_BASE,
  formatLabInfo,
  hostKeyLineFor,
  labBaseDir,
  labDir,
  labDirProblem,
  labHostKeyPin,
  labInfoSchema,
  labNameProblem,
  parseKeygenFingerprint,
  parseLabInfo,
  type LabInfo,
} from '../../../src/main/lab/lab-info.js';

const INFO: LabInfo = {
  name: 'demo',
  socket: '/run/nsd-lab/demo/ssh.sock',
  host: '198.51.100.2',
  port: 22,
  user: 'root',
  privateKey: '/run/nsd-lab/demo/id_ed25519',
  hostKeyFingerprint: 'SHA256:+sliuX94kJQuBYRwdyQXvpEQWIuVlWYaltECTcSou+k',
  hostKeyLine: '198.51.100.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINnY9//bttnrsXownu0tWvs1pubRru23szoeaK3G3EvZ',
  knownHosts: '/run/nsd-lab/demo/known_hosts',
  sshConfig: '/run/nsd-lab/demo/ssh_config',
  upstream: '203.0.113.1',
  uplink: 'eth0',
  createdAt: '2026-11-28T17:24:08.335Z',
};

describe('lab-info', () => {
  it.each(['default', 'a', 'lab-1', 'My_Lab', 'x'.repeat(32)])('accepts the lab name %j', (name) => {
    expect(labNameProblem(name)).toBeUndefined();
  });

  it.each(['', '-x', '.', '..', 'a/b', 'a b', 'a.b', "a'b", 'x'.repeat(33), 'é'])('refuses the lab name %j with a message', (name) => {
    expect(labNameProblem(name)).toMatch(/lab name .*letters, digits/);
  });

  it('keeps state in /run/nsd-lab unless NSD_LAB_DIR says otherwise', () => {
    expect(labBaseDir({})).toBe(DEFAULT_LAB_BASE);
    expect(labBaseDir({ NSD_LAB_DIR: '' })).toBe(DEFAULT_LAB_BASE);
    expect(labDir('demo', {})).toBe('/run/nsd-lab/demo');
    expect(labDir('demo', { NSD_LAB_DIR: '/tmp/x/' })).toBe('/tmp/x/demo');
    expect(labDir('demo', { NSD_LAB_DIR: '/' })).toBe('/demo');
  });

  it.each([
    ['/run/nsd-lab/demo', undefined],
    ['relative/demo', /not absolute/],
    ['/tmp/a b/demo', /characters sshd_config or mount options cannot take/],
    ['/tmp/"x"/demo', /characters sshd_config or mount options cannot take/],
    [`/tmp/${'d'.repeat(100)}`, /too long for a unix socket/],
  ])('checks the state directory %s', (dir, expected) => {
    const problem = labDirProblem(dir);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('round-trips lab.json through the schema', () => {
    expect(parseLabInfo(JSON.stringify(INFO))).toEqual(INFO);
  });

  it.each([
    ['not JSON', '{', /lab.json: not JSON/],
    ['a missing field', JSON.stringify({ ...INFO, socket: undefined }), /socket/],
    ['a short fingerprint', JSON.stringify({ ...INFO, hostKeyFingerprint: 'SHA256:abc' }), /hostKeyFingerprint: not a SHA256 fingerprint/],
    ['a user other than root', JSON.stringify({ ...INFO, user: 'alice' }), /user/],
    ['a host key line for another host', JSON.stringify({ ...INFO, hostKeyLine: INFO.hostKeyLine.replace('198.51.100.2', '10.0.0.1') }), /hostKeyLine/],
    ['an unknown field', JSON.stringify({ ...INFO, password: 'x' }), /document|password|Unrecognized/],
    ['a bad date', JSON.stringify({ ...INFO, createdAt: 'yesterday' }), /createdAt/],
  ])('refuses lab.json with %s, naming the field', (_what, text, message) => {
    expect(() => parseLabInfo(text)).toThrow(message);
  });

  it('reads the fingerprint from ssh-keygen -lf output', () => {
    expect(parseKeygenFingerprint('256 SHA256:+sliuX94kJQuBYRwdyQXvpEQWIuVlWYaltECTcSou+k nsd-lab-demo-host (ED25519)\n')).toBe(INFO.hostKeyFingerprint);
    expect(() => parseKeygenFingerprint('256 MD5:aa:bb (ED25519)')).toThrow(/no SHA256 fingerprint/);
  });

  it('makes a known_hosts line for the lab address from a public key file', () => {
    const blob = INFO.hostKeyLine.split(' ')[2]!;
    expect(hostKeyLineFor(`ssh-ed25519 ${blob} nsd-lab-demo-host\n`)).toBe(INFO.hostKeyLine);
    expect(() => hostKeyLineFor('garbage')).toThrow(/not an OpenSSH public key/);
    expect(labInfoSchema.safeParse({ ...INFO, hostKeyLine: hostKeyLineFor(`ssh-ed25519 ${blob}`) }).success).toBe(true);
  });

  it('prints the details, how to deploy, log in and take the lab down', () => {
    const text = formatLabInfo(INFO, true);
    expect(text).toMatch(/^Lab "demo" is up\./);
    for (const part of [INFO.socket, INFO.privateKey, INFO.hostKeyFingerprint, INFO.hostKeyLine, '203.0.113.1', 'eth0']) expect(text).toContain(part);
    // No --accept-new: through the socket the lab host is trusted by its lab.json key.
    expect(text).toContain(`nsd deploy FILE --host root@198.51.100.2 -i ${INFO.privateKey} --socket ${INFO.socket}\n`);
    expect(text).toContain(`checked against ${INFO.hostKeyFingerprint} from its lab.json; nothing is written to known_hosts`);
    expect(text).toContain(`ssh -F ${INFO.sshConfig} lab`);
    expect(text).toContain('nsd lab down --name demo');
    expect(formatLabInfo({ ...INFO, name: 'default' }, false)).toMatch(/^Lab "default" is already up; nothing changed\.[\s\S]*nsd lab down\n/);
  });

  it('pins the lab host key from the lab.json of the very socket a deploy goes through', () => {
    const text = JSON.stringify(INFO);
    const pin = labHostKeyPin(INFO.socket, '/run/nsd-lab/demo/lab.json', text);
    expect(pin?.key.toString('base64')).toBe(INFO.hostKeyLine.split(' ')[2]);
    expect(fingerprint(pin!.key)).toBe(INFO.hostKeyFingerprint);
    expect(pin?.source).toBe('/run/nsd-lab/demo/lab.json');
    expect(pin?.fix).toContain('nsd lab down --name demo; nsd lab up --name demo');
    // Another socket, no lab.json, or a broken one: known_hosts decides, as for any host.
    expect(labHostKeyPin('/run/nsd-lab/other/ssh.sock', '/run/nsd-lab/other/lab.json', text)).toBeUndefined();
    expect(labHostKeyPin(INFO.socket, '/run/nsd-lab/demo/lab.json', '')).toBeUndefined();
    expect(labHostKeyPin(INFO.socket, '/run/nsd-lab/demo/lab.json', JSON.stringify({ ...INFO, hostKeyLine: 'x' }))).toBeUndefined();
  });
});
