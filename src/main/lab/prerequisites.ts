/**
 * What a sandbox lab host needs from the machine, and the message when something is missing.
 * Pure: `lab-host.ts` looks the tools up and hands the findings in.
 */

/** The programs the lab runs, each with the Debian package that has it. Node is the CLI's own. */
export const LAB_TOOLS = [
  { tool: 'unshare', pkg: 'util-linux' },
  { tool: 'nsenter', pkg: 'util-linux' },
  { tool: 'mount', pkg: 'mount' },
  { tool: 'bash', pkg: 'bash' },
  { tool: 'ip', pkg: 'iproute2' },
  { tool: 'sshd', pkg: 'openssh-server' },
  { tool: 'ssh-keygen', pkg: 'openssh-client' },
] as const;

export type LabTool = (typeof LAB_TOOLS)[number]['tool'];

/** What was found on the machine. */
export interface MachineFacts {
  platform: string;
  /** Effective uid; undefined where there is none (Windows). */
  uid: number | undefined;
  /** Absolute path of each tool, undefined when not found on PATH (+ the sbin directories). */
  tools: Partial<Record<LabTool, string>>;
}

/** One message per unmet requirement, each saying how to meet it; empty when all is met. */
export function prerequisiteProblems(facts: MachineFacts): string[] {
  if (facts.platform !== 'linux') {
    return [`the sandbox lab host needs Linux (network namespaces); this is ${facts.platform}. Use a Linux VM and "nsd deploy --host" instead`];
  }
  const problems: string[] = [];
  if (facts.uid !== 0) problems.push('the sandbox lab host must be started as root (it creates namespaces and mounts): run it with sudo');
  const missing = LAB_TOOLS.filter(({ tool }) => facts.tools[tool] === undefined);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((m) => m.pkg))];
    problems.push(
      `missing ${missing.map((m) => `${m.tool} (${m.pkg})`).join(', ')}; on Debian or Ubuntu: apt-get install ${packages.join(' ')}`,
    );
  }
  return problems;
}
