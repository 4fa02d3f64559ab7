/** Runs `nsd` in-process, as the tests of the command line do, capturing what it prints. */
import { main, nodeIo, type CliIo } from '../../src/cli/main.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `nsd ...argv` against the real file system (or `io` overrides), on no terminal unless `io` says so. */
export async function runNsd(argv: readonly string[], io: Partial<CliIo> = {}): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv], {
    ...nodeIo(),
    terminal: { stdout: false, stderr: false },
    ...io,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}
