/**
 * The shipped example topologies, deployed for real: each compiled lab.sh goes up, verifies,
 * is idempotent, and comes down without a trace, inside a disposable sandbox lab host.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { readExamples } from '../../src/main/package-paths.js';
import { faultyIptablesPath, requireLab, withSandbox, type RunResult, type Sandbox } from './sandbox.js';
import { LAB_NET } from '../../src/main/lab/lab-info.js';
import { dualStackPortForward } from '../support/examples.js';

const skip = requireLab('the example topology lab tests (test/lab/examples.test.ts)');

const BY_FILE = new Map(readExamples().map((e) => [`${e.id}.json`, e]));
const EXAMPLES = [...BY_FILE.keys()];

const TIMEOUT = 120_000;

/**
 * The lab.sh of an example; throws with the compiler's problems when it does not compile. Without
 * its services when the test runs its own server in their place (a service that started first
 * would hold the port).
 */
function scriptOf(file: string, services = true): string {
  const doc = BY_FILE.get(file)!.doc;
  const result = compile(services ? doc : { ...doc, nodes: (doc.nodes as Record<string, unknown>[]).map(({ services: _, ...n }) => n) });
  if (!result.ok) throw new Error(`${file} does not compile:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.script;
}

function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Fails with the command's whole output unless it exited 0. */
function expectSuccess(r: RunResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed: ${show(r)}`);
}

/** Runs `lab.sh ACTION` and fails with its output unless it exits 0. */
async function lab(sb: Sandbox, script: string, action: string, file: string): Promise<RunResult> {
  const r = await sb.runScript(script, [action]);
  expectSuccess(r, `${file}: lab.sh ${action}`);
  return r;
}

/** down exits 0 and leaves the lab host as `before`; a second down does too. */
async function expectCleanDown(sb: Sandbox, script: string, file: string, before: string): Promise<void> {
  await lab(sb, script, 'down', file);
  expect(await sb.snapshot(), `${file}: the lab host after down differs from before up`).toBe(before);
  await lab(sb, script, 'down', file);
  expect(await sb.snapshot(), `${file}: the lab host after a second down differs from before up`).toBe(before);
}

describe.skipIf(skip).sequential('example topologies in a sandbox lab host', () => {
  for (const file of EXAMPLES) {
    it(
      `${file}: up, verify, up again, status, down and down again leave the lab host as it was`,
      async () => {
        const script = scriptOf(file);
        await withSandbox(async (sb) => {
          const before = await sb.snapshot();
          await lab(sb, script, 'up', file);
          await lab(sb, script, 'verify', file);
          const afterUp = await sb.snapshot();
          expect(afterUp, `${file}: up changed nothing in the lab host`).not.toBe(before);
          await lab(sb, script, 'up', file);
          expect(await sb.snapshot(), `${file}: a second up changed the lab host`).toBe(afterUp);
          await lab(sb, script, 'status', file);
          await expectCleanDown(sb, script, file, before);
          const status = await sb.runScript(script, ['status']);
          expect(status.code, `${file}: status after down\n${show(status)}`).toBe(4);
        });
      },
      TIMEOUT,
    );
  }

  it(
    '04-nat.json: blue reaches 203.0.113.1, masqueraded as the lab host 203.0.113.2; red has no way out',
    async () => {
      const file = '04-nat.json';
      const script = scriptOf(file);
      await withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await lab(sb, script, 'up', file);
        const upstream = await sb.startHttpServer();

        const ping = await sb.inNamespace('blue', ['ping', '-c1', '-W2', LAB_NET.upstreamAddress]);
        expect(ping.code, `ping 203.0.113.1 from blue\n${show(ping)}`).toBe(0);

        const got = await sb.httpGet({ ns: 'blue' }, `http://${LAB_NET.upstreamAddress}/`);
        expect(got, `blue fetches http://203.0.113.1/: ${JSON.stringify(got)}`).toMatchObject({ ok: true, body: upstream.marker });
        expect(upstream.clients(), 'the upstream server sees the lab host address, not 192.168.15.2').toEqual([LAB_NET.uplinkAddress]);

        // Red has no default route in 04: the NAT does not make it reachable from outside.
        const red = await sb.inNamespace('red', ['ping', '-c1', '-W1', LAB_NET.upstreamAddress]);
        expect(red.code, `ping 203.0.113.1 from red should fail\n${show(red)}`).not.toBe(0);

        await upstream.stop();
        await expectCleanDown(sb, script, file, before);
      });
    },
    TIMEOUT,
  );

  it(
    '05-port-forward.json: port 80 of the lab host reaches blue from outside and from the host, but not blue\'s own web traffic',
    async () => {
      const file = '05-port-forward.json';
      // blue's web server is the test's, which counts its clients: not the example's service web.
      const script = scriptOf(file, false);
      await withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await lab(sb, script, 'up', file);
        const upstream = await sb.startHttpServer();
        const blue = await sb.startHttpServerAt({ ns: 'blue' }, '192.168.15.2', 80, 'served-by-blue');
        const forwarded = `http://${LAB_NET.uplinkAddress}:80/`;

        const fromOutside = await sb.httpGet('upstream', forwarded);
        expect(fromOutside, `upstream fetches ${forwarded}: ${JSON.stringify(fromOutside)}`).toMatchObject({ ok: true, body: 'served-by-blue' });
        expect(blue.clients(), 'blue sees the outside client address (DNAT without SNAT)').toEqual([LAB_NET.upstreamAddress]);

        const fromHost = await sb.httpGet('lab', forwarded);
        expect(fromHost, `the lab host fetches ${forwarded} (OUTPUT DNAT): ${JSON.stringify(fromHost)}`).toMatchObject({ ok: true, body: 'served-by-blue' });
        expect(blue.clients()).toHaveLength(2);

        // The tutorial's unscoped "-p tcp --dport 80 -j DNAT" would send these back to blue.
        for (const ns of ['blue', 'red']) {
          const out = await sb.httpGet({ ns }, `http://${LAB_NET.upstreamAddress}:80/`);
          expect(out, `${ns}'s own request to http://203.0.113.1:80/ must reach the upstream: ${JSON.stringify(out)}`).toMatchObject({
            ok: true,
            body: upstream.marker,
          });
        }
        expect(upstream.clients(), 'the upstream sees both namespaces masqueraded').toEqual([LAB_NET.uplinkAddress, LAB_NET.uplinkAddress]);
        expect(blue.clients(), 'blue\'s server got no request from the namespaces\' outgoing traffic').toHaveLength(2);

        await lab(sb, script, 'verify', file);
        await blue.stop();
        await upstream.stop();
        await expectCleanDown(sb, script, file, before);
      });
    },
    TIMEOUT,
  );

  it(
    '05-port-forward.json with IPv6 beside IPv4: verify probes the IPv6 forward at the uplink\'s IPv6 address, and it passes',
    async () => {
      const file = '05-port-forward.json';
      // The example with IPv6 beside IPv4 on the bridge and a second forward, 8080, to blue's IPv6
      // address; blue's web service (python3 -m http.server) listens on both families (--bind ::).
      const doc = dualStackPortForward();
      const web = doc.nodes.find((n) => n.id === 'blue')!.services![0]!;
      web.command = web.command.replace(/http\.server 80$/, 'http.server 80 --bind ::');
      const compiled = compile(doc);
      if (!compiled.ok) throw new Error(`does not compile:\n${JSON.stringify(compiled.problems, null, 2)}`);
      await withSandbox(async (sb) => {
        // The uplink's IPv6 address, from the documentation range: no IPv4 forward listens on 8080.
        expectSuccess(await sb.lab(['ip', '-6', 'addr', 'add', '2001:db8:203::2/64', 'dev', LAB_NET.uplink, 'nodad']), 'an IPv6 address on the uplink');
        const before = await sb.snapshot();
        await lab(sb, compiled.script, 'up', file);
        const verify = await lab(sb, compiled.script, 'verify', file);
        expect(verify.stdout).toMatch(/^@nsd probe id=host->web6 .*address=2001:db8:203::2:8080 expect=reachable observed=reachable result=pass /m);
        await expectCleanDown(sb, compiled.script, file, before);
      });
    },
    TIMEOUT,
  );

  it(
    '05-port-forward.json: down after an up that failed halfway (iptables refuses new rules) leaves no trace',
    async () => {
      const file = '05-port-forward.json';
      const script = scriptOf(file);
      await withSandbox(async (sb) => {
        const path = await faultyIptablesPath(sb);

        const before = await sb.snapshot();
        const up = await sb.runScript(script, ['up'], { env: { PATH: path } });
        expect(up.code, `up with a failing iptables must fail\n${show(up)}`).not.toBe(0);
        expect(up.stderr, 'up reports the injected fault').toContain('injected fault');
        expect(await sb.snapshot(), 'the failed up made something before failing (else this test proves little)').not.toBe(before);

        await expectCleanDown(sb, script, file, before);
      });
    },
    TIMEOUT,
  );

  it(
    '05-port-forward.json: status says "partly up" (exit 3) after an up that failed at the iptables step',
    async () => {
      const file = '05-port-forward.json';
      const script = scriptOf(file);
      await withSandbox(async (sb) => {
        const path = await faultyIptablesPath(sb);
        const up = await sb.runScript(script, ['up'], { env: { PATH: path } });
        expect(up.code, `up with a failing iptables must fail\n${show(up)}`).not.toBe(0);
        const status = await sb.runScript(script, ['status']);
        expect(status.code, `status of a lab whose NAT rules are missing\n${show(status)}`).toBe(3);
      });
    },
    TIMEOUT,
  );

  it(
    '05-port-forward.json: down after a bridge port was deleted by hand leaves no trace',
    async () => {
      const file = '05-port-forward.json';
      const script = scriptOf(file);
      await withSandbox(async (sb) => {
        const before = await sb.snapshot();
        await lab(sb, script, 'up', file);
        const links = JSON.parse((await sb.lab(['ip', '-j', 'link', 'show', 'master', 'vnet0'])).stdout) as { ifname: string }[];
        const victim = links[0]?.ifname;
        expect(victim, 'a veth plugged into vnet0').toBeDefined();
        const del = await sb.lab(['ip', 'link', 'del', 'dev', victim ?? '']);
        expectSuccess(del, `ip link del ${victim}`);
        const status = await sb.runScript(script, ['status']);
        expect(status.code, `status with ${victim} missing\n${show(status)}`).toBe(3);
        await expectCleanDown(sb, script, file, before);
      });
    },
    TIMEOUT,
  );

  for (const file of ['04-nat.json', '05-port-forward.json']) {
    it(
      `${file}: on a host whose FORWARD policy is DROP (as Docker sets it) verify is green, and DROP survives down`,
      async () => {
        const script = scriptOf(file);
        await withSandbox(async (sb) => {
          expectSuccess(await sb.lab(['iptables', '-P', 'FORWARD', 'DROP']), 'iptables -P FORWARD DROP');
          const before = await sb.snapshot();
          expect(before).toContain(':FORWARD DROP');
          await lab(sb, script, 'up', file);
          await lab(sb, script, 'verify', file);
          const ping = await sb.inNamespace('blue', ['ping', '-c1', '-W2', LAB_NET.upstreamAddress]);
          expect(ping.code, `ping 203.0.113.1 from blue under FORWARD DROP\n${show(ping)}`).toBe(0);
          await expectCleanDown(sb, script, file, before);
          const policy = await sb.lab(['iptables', '-S', 'FORWARD']);
          expect(policy.stdout).toContain('-P FORWARD DROP');
        });
      },
      TIMEOUT,
    );
  }
});
