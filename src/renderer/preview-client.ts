/**
 * The live preview of the drawing, compiled in a Web Worker (preview-worker.ts) under the
 * newest-wins rule of state/preview.ts. Where no worker can start (or it fails), the page
 * compiles the preview itself, a frame behind typing, as it did before the worker.
 */
import { useEffect, useState } from 'react';
import { answered, latestWins, previewOf, requested, type LatestWins, type Preview, type PreviewRequest } from './state/preview.js';

/** Where the drawing comes from: its current value and a way to hear of each change. */
export interface DocSource<T> {
  get(): T;
  subscribe(listener: () => void): () => void;
}

/**
 * The preview of the drawing in `source`: null until the first one is ready; then always the
 * newest drawing's, never an older one. Each change is posted to the worker the moment the store
 * has it (from the store's listener), not after React has rendered it: the compile runs while
 * the page draws the edit.
 */
export function usePreview<T>(source: DocSource<T>): Preview | null {
  const [preview, setPreview] = useState<Preview | null>(null);
  useEffect(() => {
    const client = previewClient<T>(setPreview);
    client.post(source.get());
    const off = source.subscribe(() => client.post(source.get()));
    return () => {
      off();
      client.close();
    };
  }, [source]);
  return preview;
}

function previewClient<T>(show: (preview: Preview) => void): { post(doc: T): void; close(): void } {
  let state: LatestWins<T> = latestWins();
  let lastDoc: T | undefined;
  let worker: Worker | null = null;
  try {
    worker = new Worker(new URL('./preview-worker.ts', import.meta.url), { type: 'module' });
  } catch {
    worker = null;
  }
  // Without a worker: the newest drawing, compiled here once the current task is done.
  let inline: { doc: T } | null = null;
  let inlineTimer: ReturnType<typeof setTimeout> | undefined;
  const compileHere = (doc: T): void => {
    inline = { doc };
    if (inlineTimer !== undefined) return;
    inlineTimer = setTimeout(() => {
      inlineTimer = undefined;
      if (inline) show(previewOf(inline.doc));
      inline = null;
    }, 0);
  };
  const send = (request: PreviewRequest<T> | null): void => {
    if (request) worker?.postMessage(request);
  };
  if (worker) {
    worker.onmessage = (e: MessageEvent<{ id: number; preview: Preview }>) => {
      const next = answered(state, e.data.id);
      state = next.state;
      if (next.show) show(e.data.preview);
      send(next.send);
    };
    // A worker that cannot load (or dies): the page compiles the newest drawing itself from now on.
    worker.onerror = (e) => {
      e.preventDefault();
      worker?.terminate();
      worker = null;
      const newest = state.waiting?.doc ?? lastDoc;
      if (newest !== undefined) compileHere(newest);
    };
  }
  return {
    post: (doc) => {
      lastDoc = doc;
      if (!worker) return compileHere(doc);
      const next = requested(state, doc);
      state = next.state;
      send(next.send);
    },
    close: () => {
      worker?.terminate();
      clearTimeout(inlineTimer);
    },
  };
}
