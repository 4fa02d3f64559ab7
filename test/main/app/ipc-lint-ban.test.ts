import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd });

async function banned(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.ruleId!);
}

describe('ipc lint ban (eslint.config.js)', () => {
  it.each([
    ['src/main/app/main.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n"],
    ['src/renderer/App.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n"],
    ['src/main/services/handlers.ts', "import * as electron from 'electron';\nelectron.ipcMain.handle('x', () => 1);\n"],
    ['src/main/web/server.ts', "import electron from 'electron';\nconst { ipcMain } = electron;\nvoid ipcMain;\n"],
    ['src/preload/api.ts', "import { ipcRenderer as ipc } from 'electron';\nvoid ipc;\n"],
  ])('refuses raw IPC in %s', async (filePath, code) => {
    expect(await banned(code, filePath)).not.toEqual([]);
  });

  it.each([
    ['src/main/app/ipc.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);\n"],
    ['src/preload/preload.ts', "import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('x', ipcRenderer.invoke);\n"],
    ['src/main/app/main.ts', "import { app, BrowserWindow } from 'electron';\nvoid app; void BrowserWindow;\n"],
  ])('allows it in %s', async (filePath, code) => {
    expect(await banned(code, filePath)).toEqual([]);
  });
});
