import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IP_LINK_ABBREVIATED_KEYWORDS, IP_LINK_KEYWORDS, ipKeyword } from '../../src/shared/model/names.js';
import { pathWithSbin } from '../support/tools.js';
import { requireLab } from './sandbox.js';

const skip = requireLab('the ip keyword tests (test/lab/ip-keywords.test.ts)');

/**
 * What lab.sh does to a bridge, in a network namespace of its own: the name works when exactly
 * that device exists afterwards, with the lab's alias, and up. One line per name: NAME ok|bad.
 */
const SCRIPT = `
for name in "$@"; do
  ok=bad
  if ip link add "$name" type bridge 2>/dev/null && ip link set "$name" alias nsd:t 2>/dev/null && ip link set "$name" up 2>/dev/null; then
    all=$(ip -o link show | awk -F': ' '$2 != "lo" { print $2 }' | tr '\\n' ' ')
    line=$(ip -o link show dev "$name" 2>/dev/null)
    if [[ $all == "$name " && $line == *"alias nsd:t"* && $line == *",UP"* ]]; then ok=ok; fi
  fi
  echo "$name $ok"
  for dev in $(ip -o link show | awk -F': ' '$2 != "lo" { print $2 }'); do ip link del dev "$dev" 2>/dev/null; done
done
`;

function tryNames(names: readonly string[]): Map<string, string> {
  const out = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'bash', '-c', SCRIPT, '_', ...names], {
    encoding: 'utf8',
    env: { ...process.env, PATH: pathWithSbin() },
  });
  expect(out.stderr).toBe('');
  return new Map(out.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

describe.skipIf(skip)('ip keywords (src/shared/model/names.ts) against the real ip command', () => {
  it('misreads every listed keyword, and an abbreviation of each abbreviated one, where lab.sh puts a bridge name', () => {
    const abbreviations = IP_LINK_ABBREVIATED_KEYWORDS.flatMap((k) => [k, k.slice(0, 1), k.slice(0, Math.ceil(k.length / 2))]);
    const names = [...new Set([...IP_LINK_KEYWORDS, ...abbreviations])];
    expect(names.every((n) => ipKeyword(n) !== undefined)).toBe(true);
    const results = tryNames(names);
    expect(names.filter((n) => results.get(n) !== 'bad')).toEqual([]);
  });

  it('creates names that only look like keywords, which ipKeyword lets through', () => {
    const names = ['red', 'vnet0', 'veth-red-br', 'bridge', 'uplink0', 'mtu9000', 'upstream', 'devices', 'types', 'master0'];
    expect(names.filter((n) => ipKeyword(n) !== undefined)).toEqual([]);
    const results = tryNames(names);
    expect(names.filter((n) => results.get(n) !== 'ok')).toEqual([]);
  });
});
