/**
 * A kernel with netem for the lab tests: this machine's kernel has no sch_netem, so tests that
 * need it run their commands inside User-Mode Linux (Debian's user-mode-linux package: a 6.1
 * kernel running as an ordinary process, with sch_netem, veth and bridge as modules). UML has
 * its own network stack, so nothing done there reaches the machine's network. Its root is the
 * host's file system mounted READ-ONLY (hostfs, ro): /run, /tmp, /etc/netns and /dev get tmpfs
 * or devtmpfs inside UML, so the commands write nothing on the machine either; their output
 * comes back on UML's console (standard output), between markers.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless } from '../support/tools.js';

/** Where linux.uml and its modules are: Debian's package, or an extracted copy of it (UML_ROOT=/path/to/extracted). */
const ROOTS = [process.env.UML_ROOT ?? '', '/', '/work/uml-extracted'].filter(Boolean);

export interface UmlKernel {
  binary: string;
  /** The directory holding lib/modules/VERSION for modprobe -d (the package's /usr/lib/uml/modules, bound there). */
  modules: string;
}

/** The UML kernel on this machine, if any. */
export function findUml(): UmlKernel | undefined {
  for (const root of ROOTS) {
    const binary = join(root, 'usr/bin/linux.uml');
    const modules = join(root, 'usr/lib/uml/modules');
    if (existsSync(binary) && existsSync(modules) && readdirSync(modules).length > 0) return { binary, modules };
  }
  return undefined;
}

/** Registers the skip (outside CI, loudly) or the failure (under CI) when UML is missing; true when the suite must skip. */
export function requireUml(suite: string): boolean {
  return skipUnless(suite, { 'linux.uml with its modules (apt-get install user-mode-linux kmod)': findUml() !== undefined, 'modprobe (kmod)': existsSync('/usr/bin/kmod') || existsSync('/bin/kmod') });
}

export interface UmlResult {
  /** The script's exit status (-1 when UML did not report one: it crashed or timed out). */
  code: number;
  /** What the script wrote (standard output and error together). */
  output: string;
  /** UML's whole console, for diagnosis. */
  console: string;
}

const BEGIN = '@@nsd-uml-begin@@';
const END = '@@nsd-uml-end@@';

/**
 * Boots UML, runs `script` (bash, as root, with `files` written beside it and its directory as
 * the working directory) and powers off. The modules veth, bridge and sch_netem are loaded
 * first. The files are readable inside UML only, as the root is read-only.
 */
export async function withUmlKernel(script: string, files: Record<string, string> = {}, timeoutMs = 120_000): Promise<UmlResult> {
  const uml = findUml();
  if (!uml) throw new Error('linux.uml is missing: apt-get install user-mode-linux kmod');
  const dir = mkdtempSync(join(tmpdir(), 'nsd-uml-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'script.sh'), script);
    const init = join(dir, 'init.sh');
    writeFileSync(
      init,
      `#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mount -t tmpfs dev /dev
# What udev would make: bash and lab.sh's lock use /dev/fd.
ln -sfn /proc/self/fd /dev/fd; ln -sfn /proc/self/fd/0 /dev/stdin; ln -sfn /proc/self/fd/1 /dev/stdout; ln -sfn /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
# The files come from the host's /tmp, which a tmpfs hides next.
cp -r ${JSON.stringify(dir)} /run/work
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /etc/netns 2>/dev/null || true
mkdir -p /run/modules/lib/modules
mount --bind ${JSON.stringify(uml.modules)} /run/modules/lib/modules
for m in veth bridge sch_netem; do modprobe -d /run/modules "$m" || echo "init: modprobe $m failed"; done
ip link set lo up
cd /run/work
echo ${BEGIN}
bash ./script.sh 2>&1
echo "${END} $?"
poweroff -f
`,
    );
    chmodSync(init, 0o755);
    const args = ['mem=384M', 'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'ro', `init=${init}`, 'quiet', 'loglevel=0', 'con=null', 'con0=fd:0,fd:1'];
    const child = spawn(uml.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    clearTimeout(timer);
    const text = out.replace(/\r\n/g, '\n');
    const begin = text.indexOf(BEGIN);
    const end = text.lastIndexOf(END);
    if (begin < 0 || end < 0) return { code: -1, output: '', console: text };
    const code = Number(/^\s*(\d+)/.exec(text.slice(end + END.length))?.[1] ?? -1);
    return { code, output: text.slice(begin + BEGIN.length + 1, end), console: text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
