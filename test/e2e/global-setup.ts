/** Builds the renderer once before the browser tests, so they test the code as it is now. */
import { build } from 'vite';

export default async function setup(): Promise<void> {
  await build({ configFile: 'vite.renderer.config.ts', logLevel: 'warn' });
}
