/**
 * `nsd designer`: the designer in a plain browser, for machines without the Electron binary and
 * for the end-to-end tests. Files live in a workspace directory; saved hosts' secrets are kept in
 * memory only (there is no OS keychain here), and the page is served on 127.0.0.1 only.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHandlers } from '../services/handlers.js';
import { createFileService } from '../services/files.js';
import { memoryBox } from '../services/secret-box.js';
import { createTargetStore } from '../services/targets.js';
import { startWebServer, type WebServer } from './server.js';
import { RENDERER_DIR } from '../package-paths.js';

export interface BrowserDesignerOptions {
  /** Where drawings and exports are read and written (paths from the page resolve inside it). */
  workspace: string;
  /** Recent files, autosave and saved hosts; defaults to WORKSPACE/.nsd-designer. */
  stateDir?: string;
  port?: number;
  token?: string;
  /** The built renderer; defaults to the package's dist/renderer. */
  staticDir?: string;
  /** Environment for the sandbox lab host and SSH (NSD_LAB_DIR, HOME, SSH_AUTH_SOCK). */
  env?: Record<string, string | undefined>;
  examplesDir?: string;
}

/** Starts the services and the loopback server; close() stops both. */
export async function startBrowserDesigner(options: BrowserDesignerOptions): Promise<WebServer> {
  const workspace = resolve(options.workspace);
  const stateDir = options.stateDir ?? join(workspace, '.nsd-designer');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const handlers = createHandlers({
    mode: 'browser',
    files: createFileService({ stateDir, workspace }),
    targets: createTargetStore({ file: join(stateDir, 'targets.json'), secrets: memoryBox() }),
    stateDir,
    ...(options.env ? { labEnv: options.env } : {}),
    ...(options.examplesDir ? { examplesDir: options.examplesDir } : {}),
  });
  return startWebServer({
    handlers,
    staticDir: options.staticDir ?? RENDERER_DIR,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
}
