/**
 * The only place main touches ipcMain (a lint rule keeps it so): one handler per request channel
 * of the contract. Like Electron Fiddle it drops calls that do not come from our window's top
 * frame at app://bundle; unlike it, it parses every payload with the channel's zod schema before
 * a handler sees it (the contract's `dispatchRequest`, which the browser entry calls too). Replies
 * are the contract's `Reply`: `{ ok, value }` or `{ ok: false, error }` with a message only.
 */
import { ipcMain, type IpcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { EVENT_CHANNELS, REQUEST_CHANNELS, dispatchRequest, type EventSink, type Handlers, type Reply, type RequestChannel } from '../../shared/ipc/contract.js';
import { isAppUrl } from './bundle-protocol.js';

export const REFUSED_SENDER = 'request refused: it did not come from the Netns Designer window';

/** Whether an invoke comes from the top frame of one of our windows, showing the app's page. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, isOurWindow: (contents: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!isOurWindow(event.sender)) return false;
  return isAppUrl(frame.url);
}

/** Events to `contents`; dropped once it is destroyed (a closed window, a crashed renderer). */
export function webContentsSink(contents: Pick<WebContents, 'send' | 'isDestroyed'> & Partial<Pick<WebContents, 'once'>>): EventSink {
  return {
    send(channel, payload) {
      if (!EVENT_CHANNELS.includes(channel) || contents.isDestroyed()) return;
      contents.send(channel, payload);
    },
    // A closed or reloaded window ends what it had opened (its terminals).
    onClose(listener) {
      if (contents.isDestroyed()) return listener();
      let told = false;
      const once = (): void => {
        if (told) return;
        told = true;
        listener();
      };
      contents.once?.('destroyed', once);
      contents.once?.('did-navigate', once);
    },
  };
}

/** Handles one invoke: sender check, then the contract's one dispatcher (parse, handler, reply). */
export async function handleRequest(
  handlers: Handlers,
  isOurWindow: (contents: WebContents) => boolean,
  channel: RequestChannel,
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  payload: unknown,
): Promise<Reply> {
  if (!isTrustedSender(event, isOurWindow)) {
    console.warn(`ipc: dropped ${channel} from an unknown sender`);
    return { ok: false, error: REFUSED_SENDER };
  }
  const reply = await dispatchRequest(handlers, channel, payload, webContentsSink(event.sender));
  if (reply.ok) return reply;
  return { ok: false, error: reply.error };
}

/** Registers a handler for every request channel of the contract on `ipc`. */
export function registerHandlers(
  ipc: Pick<IpcMain, 'handle'>,
  handlers: Handlers,
  isOurWindow: (contents: WebContents) => boolean,
): void {
  for (const channel of REQUEST_CHANNELS) {
    ipc.handle(channel, (event, payload: unknown) => handleRequest(handlers, isOurWindow, channel, event, payload));
  }
}

/** registerHandlers on Electron's ipcMain. */
export function registerAppHandlers(handlers: Handlers, isOurWindow: (contents: WebContents) => boolean): void {
  registerHandlers(ipcMain, handlers, isOurWindow);
}
