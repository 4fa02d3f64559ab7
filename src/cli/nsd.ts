/**
 * Entry point of the `nsd` command (bin/nsd.js loads the compiled copy; `npm run nsd` runs this
 * file with tsx). All behaviour lives in main.ts.
 */
import { main, nodeIo } from './main.js';

// `nsd compile x.json | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// exitCode rather than exit(): a large script on a pipe must finish flushing first.
process.exitCode = await main(process.argv.slice(2), nodeIo());
