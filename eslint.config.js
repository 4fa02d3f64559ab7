// @ts-check
/**
 * Lint for the whole repository: typescript-eslint's recommended rules (not type-aware, so a
 * lint run stays fast and needs no project service) over src, test, bench and the launchers.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typedIpcOnly = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'use the typed IPC contract: src/main/app/ipc.ts (main) or window.nsd (renderer)',
};

export default defineConfig(
  {
    ignores: ['dist/**', 'out/**', 'release/**', 'coverage/**', 'test-results/**', 'node_modules/**', '.nsd-bench/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter kept for a contract (e.g. compile(_input)) or a skipped tuple slot.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-console': 'off',
    },
  },
  {
    // The renderer runs in Chromium, not Node.
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Typed IPC only (GitHub Desktop's lint ban): raw ipcMain and ipcRenderer live in one file
    // each, where every channel is checked against the contract and every payload parsed.
    files: ['src/**'],
    ignores: ['src/main/app/ipc.ts', 'src/preload/preload.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [typedIpcOnly],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^(ipcMain|ipcRenderer)$/]',
          message: 'use the typed IPC contract: src/main/app/ipc.ts (main) or window.nsd (renderer)',
        },
        {
          selector: 'ObjectPattern > Property[key.name=/^(ipcMain|ipcRenderer)$/]',
          message: 'use the typed IPC contract: src/main/app/ipc.ts (main) or window.nsd (renderer)',
        },
      ],
    },
  },
  {
    // Layers: the model knows nothing above it, and the editor's document commands read the
    // model, never the compiler (the facts both need live in src/shared/model).
    files: ['src/shared/model/**', 'src/shared/document/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [typedIpcOnly],
          patterns: [
            {
              group: ['**/compiler/**', '**/compiler', '**/document/**', '**/deploy/**', '**/ipc/**', '**/main/**', '**/renderer/**', '**/cli/**'],
              message: 'src/shared/model and src/shared/document depend only on src/shared/model (and document on itself); move the shared fact into src/shared/model',
            },
          ],
        },
      ],
    },
  },
);
