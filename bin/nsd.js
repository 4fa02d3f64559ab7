#!/usr/bin/env node
// Launcher for the `nsd` command: runs the compiled CLI from dist/ (built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/nsd.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('nsd: dist/cli/nsd.js is missing; run "npm run build" in the netns-designer package first.\n');
  process.exit(2);
}
await import(entry.href);
