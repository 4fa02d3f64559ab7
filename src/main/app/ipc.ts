/**
 * The only place main touches ipcMain (a lint rule keeps it so): one handler per request channel
 * of the contract. Like Electron Fiddle it drops calls that do not come from our window's top
 * frame at app://bundle; unlike it, it parses every payload with the channel's zod schema before
 * a handler sees it. Replies are `{ ok, value }` or `{ ok: false, error }` with a message only.
 */
import { ipcMain, type IpcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  parsePayload,
  type EventSink,
  type Handlers,
  type ParsedPayload,
  type RequestChannel,
  type ResponseOf,
} from '../../shared/ipc/contract.js';
import { isAppUrl } from './bundle-protocol.js';

/** What a request channel replies over IPC; the preload turns it back into resolve/reject. */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** Longest error message sent to the renderer. */
const MAX_ERROR_LENGTH = 2000;
export const REFUSED_SENDER = 'request refused: it did not come from the Netns Designer window';

/** Whether an invoke comes from the top frame of one of our windows, showing the app's page. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, isOurWindow: (contents: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!isOurWindow(event.sender)) return false;
  return isAppUrl(frame.url);
}

/** The message of a thrown value, for the renderer: no stack, no cause chain, bounded length. */
export function errorMessage(error: unknown): string {
  let message: string;
  if (error instanceof Error) message = error.message || error.name;
  else if (typeof error === 'string') message = error;
  else message = 'internal error';
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}…` : message;
}

/** Events to `contents`; dropped once it is destroyed (a closed window, a crashed renderer). */
export function webContentsSink(contents: Pick<WebContents, 'send' | 'isDestroyed'>): EventSink {
  return {
    send(channel, payload) {
      if (!EVENT_CHANNELS.includes(channel) || contents.isDestroyed()) return;
      contents.send(channel, payload);
    },
  };
}

function dispatch<C extends RequestChannel>(handlers: Handlers, channel: C, payload: ParsedPayload<C>, sink: EventSink): Promise<ResponseOf<C>> {
  // Handlers is a mapped type; TypeScript cannot index it by a generic key and keep the link.
  const handler = handlers[channel] as (payload: ParsedPayload<C>, sender: EventSink) => Promise<ResponseOf<C>>;
  return handler(payload, sink);
}

/** Handles one invoke: sender check, payload parse, handler call, reply. */
export async function handleRequest(
  handlers: Handlers,
  isOurWindow: (contents: WebContents) => boolean,
  channel: RequestChannel,
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  payload: unknown,
): Promise<IpcReply> {
  if (!isTrustedSender(event, isOurWindow)) {
    console.warn(`ipc: dropped ${channel} from an unknown sender`);
    return { ok: false, error: REFUSED_SENDER };
  }
  try {
    const parsed = parsePayload(channel, payload);
    const value = await dispatch(handlers, parsed.channel, parsed.payload, webContentsSink(event.sender));
    return { ok: true, value };
  } catch (error) {
    // A programming error is worth a stack in main's log; the renderer still gets the message only.
    if (error instanceof TypeError || error instanceof ReferenceError) console.error(`ipc: ${channel} failed:`, error);
    return { ok: false, error: errorMessage(error) };
  }
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
