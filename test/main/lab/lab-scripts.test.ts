import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  enterLabArgv,
  forwarderArgv,
  forwarderSource,
  holderArgv,
  holderScript,
  keygenArgv,
  labHostScript,
  labPaths,
  privateMountLines,
  sshClientConfig,
  sshdConfig,
  sshProxySource,
  upstreamServerSource,
} from '../../../src/main/lab/lab-scripts.js';
import { hasTool, skipUnless } from '../../support/tools.js';

const paths = labPaths('/run/nsd-lab/demo');
const tools = { node: '/usr/bin/node', sshd: '/usr/sbin/sshd' };
const work = mkdtempSync(join(tmpdir(), 'nsd-lab-scripts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function syntaxCheck(argv: string[], source: string, name: string): { status: number | null; stderr: string } {
  const file = join(work, name);
  writeFileSync(file, source);
  const r = spawnSync(argv[0]!, [...argv.slice(1), file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const skipShellcheck = skipUnless('the lab script shellcheck test', { shellcheck: hasTool('shellcheck') });

describe('lab-scripts', () => {
  it('lays every file out in the state directory', () => {
    for (const [key, value] of Object.entries(paths)) {
      if (key === 'dir') expect(value).toBe('/run/nsd-lab/demo');
      else expect(value, key).toMatch(/^\/run\/nsd-lab\/demo\/[\w.-]+$/);
    }
    expect(new Set(Object.values(paths)).size).toBe(Object.keys(paths).length);
  });

  it('builds the sandbox in order: addresses after the move, links up before the default route', () => {
    const lines = holderScript(paths, tools).split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text));
    expect(lines[2]).toBe('set -euo pipefail');
    expect(at('mount -n --move /run/nsd-lab/demo/holder-mounts/run /run')).toBeLessThan(at('ip netns add lab'));
    expect(at('ip link add lab-mgmt type veth peer name mgmt0 netns lab')).toBeLessThan(at('ip -n lab addr add 198.51.100.2/24 dev mgmt0'));
    expect(at('ip -n lab addr add 198.51.100.2/24 dev mgmt0')).toBeLessThan(at('ip -n lab link set mgmt0 up'));
    expect(at('ip -n lab link set eth0 up')).toBeLessThan(at('ip -n lab route add default via 203.0.113.1'));
    expect(at('ip -n upstream addr add 203.0.113.1/24 dev eth0')).toBeGreaterThan(0);
    expect(at('ip netns exec upstream /usr/bin/node /run/nsd-lab/demo/upstream-http.js 203.0.113.1 80')).toBeGreaterThan(at('ip -n upstream link set eth0 up'));
    expect(at('ip netns exec lab unshare --mount --propagation private -- bash /run/nsd-lab/demo/lab-host.sh')).toBeGreaterThan(0);
    // pid 1 reaps orphans for as long as it lives.
    expect(lines.at(-2)).toBe('while :; do wait || true; sleep 1; done');
  });

  it('gives the lab host a private /run and /etc (its /run/nsd, /run/netns, /etc/netns) and /root before sshd starts', () => {
    const lines = labHostScript(paths, tools).split('\n');
    const at = (text: string): number => lines.findIndex((l) => l === text);
    const sshd = lines.findIndex((l) => l.startsWith('/usr/sbin/sshd -D -e -f /run/nsd-lab/demo/sshd_config'));
    const mounts = '/run/nsd-lab/demo/lab-host-mounts';
    for (const line of [
      `mount -n -t tmpfs -o mode=0700 nsd-lab ${mounts}`,
      `mount -n -t overlay nsd-lab -o lowerdir=/etc,upperdir=${mounts}/etc-upper,workdir=${mounts}/etc-work /etc`,
      'mount -n -t tmpfs -o mode=0755 nsd-lab /etc/netns',
      `mount -n --move ${mounts}/run /run`,
      'mount -n -t tmpfs -o mode=0700 nsd-lab /root',
    ]) {
      expect(at(line), line).toBeGreaterThan(0);
      expect(at(line), line).toBeLessThan(sshd);
    }
    // The overlay's directories are reached through the state directory, before /run moves over it.
    expect(at(`mount -n --move ${mounts}/run /run`)).toBeGreaterThan(at('mount -n -t tmpfs -o mode=0755 nsd-lab /etc/netns'));
    // /run/nsd, /run/netns and /run/sshd are directories of the private /run, never mount points on the machine's.
    expect(at(`mkdir -p ${mounts}/run/netns ${mounts}/run/sshd`)).toBeLessThan(at(`mount -n --move ${mounts}/run /run`));
    expect(lines.filter((l) => /(^| )\/run\/(nsd|netns|sshd)( |$)/.test(l))).toEqual([]);
    // The state directory stays reachable at its path inside the private /run.
    expect(at(`mount -n --bind /run/nsd-lab/demo ${mounts}/run/nsd-lab/demo`)).toBeLessThan(at(`mount -n --move ${mounts}/run /run`));
  });

  it('binds the state directory into the private /run only when it lies under /run', () => {
    expect(privateMountLines('/tmp/x/demo/m', '/tmp/x/demo', false).some((l) => l.includes('--bind /tmp/x/demo '))).toBe(false);
    expect(privateMountLines('/tmp/x/demo/m', '/tmp/x/demo', false).some((l) => l.includes('overlay'))).toBe(false);
  });

  it('quotes every word, so an odd path stays one word', () => {
    const odd = labPaths("/tmp/it's a lab");
    const text = holderScript(odd, { node: '/opt/my node/bin/node', sshd: '/usr/sbin/sshd' }) + labHostScript(odd, tools);
    expect(text).toContain(`'/opt/my node/bin/node' '/tmp/it'\\''s a lab/upstream-http.js' 203.0.113.1 80 >>'/tmp/it'\\''s a lab/upstream.log' 2>&1 &`);
    expect(text).toContain(`bash '/tmp/it'\\''s a lab/lab-host.sh' >>'/tmp/it'\\''s a lab/holder.log' 2>&1 &`);
    expect(text).toContain(`echo "$$" >'/tmp/it'\\''s a lab/lab-host.inner-pid'`);
  });

  it('writes scripts bash can parse', () => {
    for (const [name, text] of [['holder.sh', holderScript(paths, tools)], ['lab-host.sh', labHostScript(paths, tools)]] as const) {
      const r = syntaxCheck(['bash', '-n'], text, name);
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
    }
  });

  it.skipIf(skipShellcheck)('writes scripts shellcheck finds nothing in', () => {
    for (const [name, text] of [['holder.sh', holderScript(paths, tools)], ['lab-host.sh', labHostScript(paths, tools)]] as const) {
      const r = syntaxCheck(['shellcheck', '-s', 'bash'], text, name);
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
    }
  });

  it('writes Node programs Node can parse', () => {
    for (const [name, text] of [
      ['upstream.js', upstreamServerSource()],
      ['forwarder.js', forwarderSource()],
      ['proxy.js', sshProxySource('/usr/bin/node', paths).replace(/^#!.*\n/, '')],
    ] as const) {
      const r = syntaxCheck([process.execPath, '--check'], text, name);
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
    }
    expect(sshProxySource('/usr/bin/node', paths)).toMatch(/^#!\/usr\/bin\/node\n[\s\S]*"\/run\/nsd-lab\/demo\/ssh.sock"/);
  });

  it('lets root in with the generated key only, on the management address', () => {
    const config = sshdConfig(paths);
    for (const line of [
      'ListenAddress 198.51.100.2:22',
      'HostKey /run/nsd-lab/demo/ssh_host_ed25519_key',
      'PidFile /run/nsd-lab/demo/sshd.pid',
      'AuthorizedKeysFile /run/nsd-lab/demo/authorized_keys',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'UsePAM no',
      'StrictModes no',
    ]) {
      expect(config.split('\n')).toContain(line);
    }
  });

  it('writes an ssh_config that pins the host key and goes through the socket', () => {
    const lines = sshClientConfig(paths).split('\n').map((l) => l.trim());
    for (const line of ['Host lab', 'HostName 198.51.100.2', 'User root', 'IdentityFile /run/nsd-lab/demo/id_ed25519', 'UserKnownHostsFile /run/nsd-lab/demo/known_hosts', 'StrictHostKeyChecking yes', 'ProxyCommand /run/nsd-lab/demo/ssh-proxy']) {
      expect(lines).toContain(line);
    }
  });

  it('starts the holder in new net, mount and pid namespaces, killed with unshare', () => {
    expect(holderArgv(paths)).toEqual(['unshare', '--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', '--', 'bash', '/run/nsd-lab/demo/holder.sh']);
  });

  it('starts the forwarder in the holder network and pid namespaces only', () => {
    expect(forwarderArgv(paths, tools, 4242)).toEqual([
      'nsenter', '-t', '4242', '-n', '--pid=/proc/4242/ns/pid_for_children', '--',
      '/usr/bin/node', '/run/nsd-lab/demo/forwarder.js', '/run/nsd-lab/demo/ssh.sock', '198.51.100.2', '22',
    ]);
    expect(enterLabArgv(7)).toEqual(['nsenter', '-t', '7', '-n', '-m', '-p', '--']);
    expect(keygenArgv('/k', 'c')).toEqual(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'c', '-f', '/k']);
  });
});
