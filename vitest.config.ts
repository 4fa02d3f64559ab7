/**
 * Unit tests run in parallel; the lab tests (test/lab) create real namespaces, bridges and
 * iptables rules on this machine, so they run one file at a time in a project of their own; so do
 * the browser tests (test/e2e), which drive Debian's Chromium against the built renderer.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/lab/**', 'test/e2e/**', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The UI answers within a frame or two, but CI runs the lab suites beside it on 2 cores.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
