/**
 * Builds the designer's renderer (src/renderer) into dist/renderer: served to the Electron window
 * by its app:// protocol (src/main/app/bundle-protocol.ts) and to a browser by the browser entry
 * (src/main/web/server.ts). Relative asset paths work under both.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry comments Rollup cannot place; it drops them, harmlessly.
        if (warning.code === 'INVALID_ANNOTATION') return;
        // react-resizable-panels opens with React's "use client", which means nothing in a bundle.
        if ((warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') && warning.id?.includes('react-resizable-panels')) return;
        warn(warning);
      },
    },
  },
});
