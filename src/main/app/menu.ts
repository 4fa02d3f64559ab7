/**
 * The application menu as data: a pure template whose items call back with a MenuCommand of the
 * contract, and the dispatch of a command to the focused window.
 */
import type { MenuItemConstructorOptions, WebContents } from 'electron';
import type { MenuCommand } from '../../shared/ipc/contract.js';

/** What menu items do; main.ts connects these to the focused window, files and the shell. */
export interface MenuActions {
  command(command: MenuCommand): void;
  openRecent(path: string): void;
  openDocs(): void;
}

export interface MenuOptions {
  /** Whether View offers Toggle Developer Tools (only when the app is not packaged). */
  devTools: boolean;
  appName?: string;
}

/** On Windows and Linux `&` marks a mnemonic; a literal one in a file name must be doubled. */
function literal(label: string): string {
  return label.replaceAll('&', '&&');
}

/**
 * The menu for `platform` with `recent` files. Accelerators avoid the ones Chromium and the
 * window manager own; Fit takes CmdOrCtrl+0, which is free because the app has no page zoom
 * (the zoom items zoom the canvas) and no Reload item.
 */
export function menuTemplate(
  platform: NodeJS.Platform,
  recent: readonly string[],
  actions: MenuActions,
  options: MenuOptions = { devTools: false },
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const name = options.appName ?? 'Netns Designer';
  const top = (label: string) => (mac ? label : `&${label}`);
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator === undefined ? {} : { accelerator }),
    click: () => actions.command(command),
  });
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const openRecent: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No recent files', enabled: false }]
      : recent.map((path) => ({ label: literal(path), click: () => actions.openRecent(path) }));

  const file: MenuItemConstructorOptions = {
    label: top('File'),
    submenu: [
      item('New', 'new', 'CmdOrCtrl+N'),
      item('Open…', 'open', 'CmdOrCtrl+O'),
      { label: 'Open Recent', submenu: openRecent },
      separator,
      item('Save', 'save', 'CmdOrCtrl+S'),
      item('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
      separator,
      item('Export Script…', 'export-script', 'CmdOrCtrl+E'),
      item('Export Plain Commands…', 'export-plain'),
      item('Export PNG…', 'export-png'),
      item('Export SVG…', 'export-svg'),
      ...(mac ? [] : [separator, { role: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q' } satisfies MenuItemConstructorOptions]),
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: top('Edit'),
    submenu: [
      item('Undo', 'undo', 'CmdOrCtrl+Z'),
      item('Redo', 'redo', mac ? 'Shift+CmdOrCtrl+Z' : 'CmdOrCtrl+Y'),
      // Linux and Windows users type either; a hidden item carries the second accelerator.
      ...(mac ? [] : [{ ...item('Redo', 'redo', 'CmdOrCtrl+Shift+Z'), visible: false, acceleratorWorksWhenHidden: true }]),
      separator,
      item('Cut', 'cut', 'CmdOrCtrl+X'),
      item('Copy', 'copy', 'CmdOrCtrl+C'),
      item('Paste', 'paste', 'CmdOrCtrl+V'),
      // No accelerator: Delete and Backspace edit text fields; the canvas handles its own keys.
      item('Delete', 'delete'),
      separator,
      item('Select All', 'select-all', 'CmdOrCtrl+A'),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: top('View'),
    submenu: [
      item('Zoom In', 'zoom-in', 'CmdOrCtrl+='),
      // CmdOrCtrl+= is what most keyboards type for "+"; the hidden item takes the keypad/shifted one.
      { ...item('Zoom In', 'zoom-in', 'CmdOrCtrl+Plus'), visible: false, acceleratorWorksWhenHidden: true },
      item('Zoom Out', 'zoom-out', 'CmdOrCtrl+-'),
      item('Fit to Window', 'fit', 'CmdOrCtrl+0'),
      separator,
      item('Auto Layout', 'layout', 'CmdOrCtrl+L'),
      ...(options.devTools ? [separator, { role: 'toggleDevTools' } satisfies MenuItemConstructorOptions] : []),
      ...(mac ? [separator, { role: 'togglefullscreen' } satisfies MenuItemConstructorOptions] : []),
    ],
  };

  const lab: MenuItemConstructorOptions = {
    label: top('Lab'),
    submenu: [
      // Deploy opens the deploy panel, where the user confirms the target; it runs nothing by itself.
      item('Deploy…', 'deploy', 'CmdOrCtrl+Enter'),
      item('Verify', 'verify', 'CmdOrCtrl+Shift+Enter'),
      item('Status', 'status'),
      separator,
      // No accelerator: tearing a lab down should take a deliberate click.
      item('Destroy…', 'destroy'),
    ],
  };

  const help: MenuItemConstructorOptions = {
    label: top('Help'),
    role: 'help',
    submenu: [
      { label: 'Documentation', click: () => actions.openDocs() },
      ...(mac ? [] : [separator, { role: 'about', label: `About ${name}` } satisfies MenuItemConstructorOptions]),
    ],
  };

  const appMenu: MenuItemConstructorOptions = {
    label: name,
    submenu: [
      { role: 'about', label: `About ${name}` },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };

  return mac ? [appMenu, file, edit, view, lab, { role: 'windowMenu' }, help] : [file, edit, view, lab, help];
}

/**
 * Delivers a menu command to a window as 'menu:command'; the renderer runs it like its own
 * shortcut (editor undo history, the canvas clipboard). Nothing is sent to a destroyed window.
 */
export function dispatchMenuCommand(contents: Pick<WebContents, 'send' | 'isDestroyed'>, command: MenuCommand): void {
  if (contents.isDestroyed()) return;
  contents.send('menu:command', { command });
}
