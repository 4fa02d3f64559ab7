/**
 * Unit tests run in parallel; the lab tests (test/lab) create real namespaces, bridges and
 * iptables rules on this machine, so they run one file at a time in a project of their own.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/lab/**', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
