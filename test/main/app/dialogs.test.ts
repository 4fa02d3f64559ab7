import type { BrowserWindow } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  dialog: {
    showOpenDialog: vi.fn(),
    showSaveDialog: vi.fn(),
    showMessageBox: vi.fn(),
  },
}));
vi.mock('electron', () => electron);

const { electronDialogs } = await import('../../../src/main/app/dialogs.js');

const window = { id: 1 } as unknown as BrowserWindow;

describe('dialogs', () => {
  beforeEach(() => {
    for (const fn of Object.values(electron.dialog)) fn.mockReset();
  });

  it('opens a topology modal to the window, and reports a cancel as undefined', async () => {
    const dialogs = electronDialogs(() => window);
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/labs/a.json'] });
    expect(await dialogs.openTopology()).toBe('/labs/a.json');
    expect(electron.dialog.showOpenDialog.mock.calls[0]![0]).toBe(window);
    expect(electron.dialog.showOpenDialog.mock.calls[0]![1]).toMatchObject({ properties: ['openFile'], filters: [{ extensions: ['json'] }, { extensions: ['*'] }] });
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await dialogs.openTopology()).toBeUndefined();
  });

  it.each([
    ['topology', 'json'],
    ['script', 'sh'],
    ['png', 'png'],
    ['svg', 'svg'],
  ] as const)('asks where a %s goes with the .%s filter', async (kind, extension) => {
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: `/out/x.${extension}` });
    const path = await electronDialogs(() => undefined).saveFile({ suggestedName: `x.${extension}`, kind });
    expect(path).toBe(`/out/x.${extension}`);
    // Without a window the dialog is not modal: the options are the first argument.
    expect(electron.dialog.showSaveDialog.mock.calls[0]![0]).toMatchObject({ defaultPath: `x.${extension}`, filters: [{ extensions: [extension] }] });
  });

  it('trusts a host key only on the explicit button, and shows the fingerprint', async () => {
    const dialogs = electronDialogs(() => window);
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    expect(await dialogs.confirmHostKey!('lab-vm', 2222, 'SHA256:abc')).toBe(true);
    const options = electron.dialog.showMessageBox.mock.calls[0]![1] as { message: string; detail: string; cancelId: number; defaultId: number };
    expect(options.message).toBe('Trust the host key of lab-vm:2222?');
    expect(options.detail).toContain('SHA256:abc');
    expect(options.defaultId).toBe(1);
    expect(options.cancelId).toBe(1);
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    expect(await dialogs.confirmHostKey!('lab-vm', 2222, 'SHA256:abc')).toBe(false);
  });
});
