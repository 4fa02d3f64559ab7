/**
 * The preview worker: compiles the drawings the page posts (preview-client.ts) off the page's
 * thread, so typing and the canvas never wait for a compile of a thousand namespaces.
 */
import './no-eval.js';
import { previewOf, type PreviewRequest } from './state/preview.js';

/** The worker's own scope (the DOM typings know only the window's postMessage). */
const scope = self as unknown as { onmessage: ((e: MessageEvent<PreviewRequest<unknown>>) => void) | null; postMessage(message: unknown): void };

scope.onmessage = (e) => {
  const { id, doc } = e.data;
  scope.postMessage({ id, preview: previewOf(doc) });
};
