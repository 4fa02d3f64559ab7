import { describe, expect, it } from 'vitest';
import { LAB_TOOLS, prerequisiteProblems, type MachineFacts } from '../../../src/main/lab/prerequisites.js';

const ALL = Object.fromEntries(LAB_TOOLS.map(({ tool }) => [tool, `/usr/bin/${tool}`])) as MachineFacts['tools'];

describe('prerequisites', () => {
  it('finds nothing missing on Linux as root with every tool', () => {
    expect(prerequisiteProblems({ platform: 'linux', uid: 0, tools: ALL })).toEqual([]);
  });

  it('says a lab host needs Linux, and what to use instead', () => {
    expect(prerequisiteProblems({ platform: 'darwin', uid: 501, tools: {} })).toEqual([expect.stringMatching(/needs Linux.*this is darwin.*nsd deploy --host/)]);
  });

  it('asks for root', () => {
    expect(prerequisiteProblems({ platform: 'linux', uid: 1000, tools: ALL })).toEqual([expect.stringMatching(/must be started as root.*sudo/)]);
  });

  it('names each missing tool, its package, and one apt-get line without duplicates', () => {
    const { sshd: _sshd, 'ssh-keygen': _keygen, ip: _ip, ...rest } = ALL;
    const problems = prerequisiteProblems({ platform: 'linux', uid: 0, tools: rest });
    expect(problems).toEqual(['missing ip (iproute2), sshd (openssh-server), ssh-keygen (openssh-client); on Debian or Ubuntu: apt-get install iproute2 openssh-server openssh-client']);
    const { unshare: _u, nsenter: _n, ...noUtil } = ALL;
    expect(prerequisiteProblems({ platform: 'linux', uid: 0, tools: noUtil })[0]).toMatch(/unshare \(util-linux\), nsenter \(util-linux\); .*apt-get install util-linux$/);
  });
});
