import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { dispatchMenuCommand, menuTemplate, type MenuActions } from '../../../src/main/app/menu.js';
import { MENU_COMMANDS, type MenuCommand } from '../../../src/shared/ipc/contract.js';

function actions(): MenuActions & { commands: MenuCommand[]; recent: string[]; docs: number } {
  const a = {
    commands: [] as MenuCommand[],
    recent: [] as string[],
    docs: 0,
    command: (c: MenuCommand) => void a.commands.push(c),
    openRecent: (p: string) => void a.recent.push(p),
    openDocs: () => void a.docs++,
  };
  return a;
}

/** Every item, depth first, with the labels of the menus above it. */
function flatten(items: MenuItemConstructorOptions[], path: string[] = []): { path: string[]; item: MenuItemConstructorOptions }[] {
  return items.flatMap((item) => {
    const here = [...path, (item.label ?? item.role ?? item.type ?? '?').replace(/^&/, '')];
    const sub = Array.isArray(item.submenu) ? flatten(item.submenu, here) : [];
    return [{ path: here, item }, ...sub];
  });
}

function find(template: MenuItemConstructorOptions[], ...path: string[]): MenuItemConstructorOptions {
  const found = flatten(template).find((e) => e.path.join(' > ') === path.join(' > ') && e.item.visible !== false);
  if (!found) throw new Error(`no menu item ${path.join(' > ')}`);
  return found.item;
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

describe('menu', () => {
  it.each([
    [['File', 'New'], 'CmdOrCtrl+N', 'new'],
    [['File', 'Open…'], 'CmdOrCtrl+O', 'open'],
    [['File', 'Save'], 'CmdOrCtrl+S', 'save'],
    [['File', 'Save As…'], 'CmdOrCtrl+Shift+S', 'save-as'],
    [['File', 'Export Script…'], 'CmdOrCtrl+E', 'export-script'],
    [['File', 'Export Plain Commands…'], undefined, 'export-plain'],
    [['File', 'Export PNG…'], undefined, 'export-png'],
    [['File', 'Export SVG…'], undefined, 'export-svg'],
    [['Edit', 'Undo'], 'CmdOrCtrl+Z', 'undo'],
    [['Edit', 'Redo'], 'CmdOrCtrl+Y', 'redo'],
    [['Edit', 'Cut'], 'CmdOrCtrl+X', 'cut'],
    [['Edit', 'Copy'], 'CmdOrCtrl+C', 'copy'],
    [['Edit', 'Paste'], 'CmdOrCtrl+V', 'paste'],
    [['Edit', 'Delete'], undefined, 'delete'],
    [['Edit', 'Select All'], 'CmdOrCtrl+A', 'select-all'],
    [['View', 'Zoom In'], 'CmdOrCtrl+=', 'zoom-in'],
    [['View', 'Zoom Out'], 'CmdOrCtrl+-', 'zoom-out'],
    [['View', 'Fit to Window'], 'CmdOrCtrl+0', 'fit'],
    [['View', 'Auto Layout'], 'CmdOrCtrl+L', 'layout'],
    [['Lab', 'Deploy…'], 'CmdOrCtrl+Enter', 'deploy'],
    [['Lab', 'Verify'], 'CmdOrCtrl+Shift+Enter', 'verify'],
    [['Lab', 'Status'], undefined, 'status'],
    [['Lab', 'Destroy…'], undefined, 'destroy'],
  ] as const)('%j has accelerator %s and sends %s', (path, accelerator, command) => {
    const a = actions();
    const item = find(menuTemplate('linux', [], a), ...path);
    expect(item.accelerator).toBe(accelerator);
    click(item);
    expect(a.commands).toEqual([command]);
  });

  it('offers every menu command of the contract', () => {
    const a = actions();
    for (const { item } of flatten(menuTemplate('linux', [], a))) if (item.click && item.visible !== false) click(item);
    expect(new Set(a.commands)).toEqual(new Set(MENU_COMMANDS));
  });

  it('gives Redo both Linux chords and the macOS one on a Mac', () => {
    const linux = flatten(menuTemplate('linux', [], actions())).filter((e) => e.path.join('>') === 'Edit>Redo');
    expect(linux.map((e) => e.item.accelerator)).toEqual(['CmdOrCtrl+Y', 'CmdOrCtrl+Shift+Z']);
    expect(find(menuTemplate('darwin', [], actions()), 'Edit', 'Redo').accelerator).toBe('Shift+CmdOrCtrl+Z');
  });

  it('uses no accelerator twice', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const accelerators = flatten(menuTemplate(platform, ['/a.json'], actions(), { devTools: true }))
        .map((e) => e.item.accelerator)
        .filter((a): a is string => typeof a === 'string');
      expect(accelerators.length).toBeGreaterThan(15);
      expect(new Set(accelerators).size, platform).toBe(accelerators.length);
    }
  });

  it('lists recent files, most recent first, and opens the one clicked', () => {
    const a = actions();
    const template = menuTemplate('linux', ['/labs/R&D.json', '/labs/b.json'], a);
    const recent = find(template, 'File', 'Open Recent').submenu as MenuItemConstructorOptions[];
    expect(recent.map((i) => i.label)).toEqual(['/labs/R&&D.json', '/labs/b.json']);
    click(recent[0]!);
    expect(a.recent).toEqual(['/labs/R&D.json']);
    const empty = find(menuTemplate('linux', [], a), 'File', 'Open Recent').submenu as MenuItemConstructorOptions[];
    expect(empty).toEqual([{ label: 'No recent files', enabled: false }]);
  });

  it('shows Toggle Developer Tools only when asked (an unpackaged app)', () => {
    const roles = (devTools: boolean) => flatten(menuTemplate('linux', [], actions(), { devTools })).map((e) => e.item.role);
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('reload');
  });

  it('puts About and Quit in the app menu on a Mac, in Help and File elsewhere', () => {
    const mac = menuTemplate('darwin', [], actions(), { devTools: false, appName: 'Netns Designer' });
    expect(mac.map((m) => m.label ?? m.role)).toEqual(['Netns Designer', 'File', 'Edit', 'View', 'Lab', 'windowMenu', 'Help']);
    expect((mac[0]!.submenu as MenuItemConstructorOptions[]).map((i) => i.role).filter(Boolean)).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(flatten([mac[1]!]).some((e) => e.item.role === 'quit')).toBe(false);

    const linux = menuTemplate('linux', [], actions());
    expect(linux.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Lab', '&Help']);
    expect(find(linux, 'File', 'Quit')).toMatchObject({ role: 'quit', accelerator: 'CmdOrCtrl+Q' });
    expect(flatten([linux[4]!]).some((e) => e.item.role === 'about')).toBe(true);
  });

  it('opens the documentation through the actions', () => {
    const a = actions();
    click(find(menuTemplate('linux', [], a), 'Help', 'Documentation'));
    expect(a.docs).toBe(1);
  });

  it('dispatches a command to a live window as menu:command, and not to a destroyed one', () => {
    const live = { send: vi.fn(), isDestroyed: () => false };
    dispatchMenuCommand(live, 'save');
    expect(live.send).toHaveBeenCalledWith('menu:command', { command: 'save' });
    const gone = { send: vi.fn(), isDestroyed: () => true };
    dispatchMenuCommand(gone, 'save');
    expect(gone.send).not.toHaveBeenCalled();
  });
});
