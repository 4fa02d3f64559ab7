import { describe, expect, it } from 'vitest';
import { createStore, slice } from '../../src/renderer/state/store.js';
import { editorReducer, initialEditor } from '../../src/renderer/state/editor.js';
import { emptyDocument } from '../../src/shared/document/commands.js';

describe('store', () => {
  it('runs the reducer at once on dispatch and tells each listener after the state changed', () => {
    const store = createStore((n: number, by: number) => n + by, 1);
    const seen: number[] = [];
    const off = store.subscribe(() => seen.push(store.get()));
    store.dispatch(2);
    expect(store.get()).toBe(3);
    expect(seen).toEqual([3]);
    off();
    store.dispatch(1);
    expect(seen).toEqual([3]);
    expect(store.get()).toBe(4);
  });

  it('tells no one when the reducer keeps the state', () => {
    const store = createStore((s: { n: number }, by: number) => (by === 0 ? s : { n: s.n + by }), { n: 0 });
    let calls = 0;
    store.subscribe(() => calls++);
    const before = store.get();
    store.dispatch(0);
    expect(store.get()).toBe(before);
    expect(calls).toBe(0);
  });

  it("tells a slice's listener only when its part changed: the editor's document, not its selection", () => {
    const store = createStore(editorReducer, initialEditor(emptyDocument()));
    const doc = slice(store, (s) => s.history.present);
    const docs: unknown[] = [];
    doc.subscribe(() => docs.push(doc.get()));
    store.dispatch({ type: 'select', ids: ['x'] });
    expect(docs).toEqual([]);
    store.dispatch({ type: 'command', command: { type: 'addNode', kind: 'namespace', position: { x: 0, y: 0 } } });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toBe(store.get().history.present);
    expect((doc.get().nodes ?? []).length).toBe(1);
  });
});
