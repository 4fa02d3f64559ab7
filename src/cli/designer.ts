/**
 * `nsd designer [--port N] [--workspace DIR]`: serves the designer to a browser on 127.0.0.1
 * and prints the link (with its access token) until Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBrowserDesigner } from '../main/web/launch.js';
import { RENDERER_DIR } from '../main/package-paths.js';

export interface DesignerArgs {
  port?: number;
  workspace?: string;
  /** Stops the server (Ctrl-C). */
  signal: AbortSignal;
  /** The built renderer (tests); defaults to the package's dist/renderer. */
  staticDir?: string;
}

export interface DesignerIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Runs the server until `signal` aborts; resolves to the exit code. */
export async function designerCommand(args: DesignerArgs, io: DesignerIo): Promise<number> {
  const staticDir = args.staticDir ?? RENDERER_DIR;
  if (!existsSync(join(staticDir, 'index.html'))) {
    io.stderr(`nsd: the designer is not built (${staticDir} is missing); run: npm run build\n`);
    return 1;
  }
  const workspace = resolve(io.cwd, args.workspace ?? '.');
  let server;
  try {
    server = await startBrowserDesigner({ workspace, env: io.env, staticDir, ...(args.port !== undefined ? { port: args.port } : {}) });
  } catch (e) {
    io.stderr(`nsd: cannot start the designer: ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout(
    [
      `Netns Designer is running. Open this link in a browser on this machine:`,
      ``,
      `  ${server.appUrl}`,
      ``,
      `Drawings are read and saved in ${workspace}. Saved hosts' passwords stay in memory only.`,
      `Press Ctrl-C to stop.`,
      ``,
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    if (args.signal.aborted) return done();
    args.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  io.stderr('nsd: designer stopped\n');
  return 0;
}
