/**
 * Builds the sandboxed preload (src/preload/preload.ts) into one CommonJS file,
 * dist/preload/preload.cjs: a sandboxed preload cannot import modules, so everything it uses
 * (the contract's channel lists, zod) is bundled; only `electron` stays a require().
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/preload', import.meta.url)),
    emptyOutDir: true,
    // Electron 45 runs Chromium 140; the renderer build uses the same floor.
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/preload/preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: {
      external: ['electron'],
      output: { inlineDynamicImports: true },
    },
  },
});
