/**
 * Native dialogs for the services: open a topology, choose where a save or an export goes, and
 * ask whether to trust an unknown SSH host key. Each is modal to the main window when it exists.
 */
import { dialog, type BrowserWindow, type FileFilter } from 'electron';
import type { Dialogs } from '../services/types.js';

type Kind = Parameters<Dialogs['saveFile']>[0]['kind'];

const FILTERS: Record<Kind, FileFilter[]> = {
  topology: [{ name: 'Netns Designer topology', extensions: ['json'] }],
  script: [{ name: 'Bash script', extensions: ['sh'] }],
  png: [{ name: 'PNG image', extensions: ['png'] }],
  svg: [{ name: 'SVG image', extensions: ['svg'] }],
  pcap: [{ name: 'Packet capture (Wireshark, tcpdump)', extensions: ['pcap'] }],
};

/** The Dialogs service over Electron's dialog module; `window()` is the parent, if any. */
export function electronDialogs(window: () => BrowserWindow | undefined): Dialogs {
  return {
    async openTopology() {
      const options = { title: 'Open topology', properties: ['openFile' as const], filters: [...FILTERS.topology, { name: 'All files', extensions: ['*'] }] };
      const parent = window();
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },

    async saveFile({ suggestedName, kind }) {
      const options = {
        title: kind === 'topology' ? 'Save topology' : 'Export',
        defaultPath: suggestedName,
        filters: FILTERS[kind],
        properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const],
      };
      const parent = window();
      const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? undefined : result.filePath;
    },

    async confirmHostKey(host, port, fingerprint) {
      const options = {
        type: 'warning' as const,
        title: 'Unknown host key',
        message: `Trust the host key of ${host}:${port}?`,
        detail:
          `This host is not in your known_hosts. Its key fingerprint is\n\n${fingerprint}\n\n` +
          'Compare it with the one the host shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting it.',
        buttons: ['Trust and connect', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      };
      const parent = window();
      const result = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
      return result.response === 0;
    },
  };
}
