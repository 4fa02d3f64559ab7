import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/shared/document/commands.js';
import { autosaveAction, documentText, editorReducer, initialEditor, isDirty, sameJson, type EditorState } from '../../src/renderer/state/editor.js';
import { loadExample } from '../support/examples.js';

const start = () => initialEditor(loadExample('02-bridge') as Doc);

describe('editor state', () => {
  it('is clean after load and dirty after a command, clean again after save', () => {
    let s = start();
    expect(isDirty(s)).toBe(false);
    s = editorReducer(s, { type: 'command', command: { type: 'move', moves: [{ id: 'red', position: { x: 5, y: 5 } }] } });
    expect(isDirty(s)).toBe(true);
    s = editorReducer(s, { type: 'saved', path: '/tmp/x.json', text: documentText(s.history.present) });
    expect(isDirty(s)).toBe(false);
    expect(s.path).toBe('/tmp/x.json');
    s = editorReducer(s, { type: 'undo' });
    expect(isDirty(s)).toBe(true);
  });

  it('is clean again when edits are taken back, by undo or by hand, and after a save while it changed (text compared then)', () => {
    // What isDirty says is always what comparing the texts says.
    const byText = (s: EditorState): boolean => documentText(s.history.present) !== s.savedText;
    let s = start();
    const step = (next: EditorState): void => {
      s = next;
      expect(isDirty(s)).toBe(byText(s));
    };
    step(editorReducer(s, { type: 'command', command: { type: 'move', moves: [{ id: 'red', position: { x: 5, y: 5 } }] } }));
    expect(isDirty(s)).toBe(true);
    const at = s.history.present.nodes!.find((n) => n.id === 'red')!.position!;
    step(editorReducer(s, { type: 'command', command: { type: 'move', moves: [{ id: 'red', position: start().history.present.nodes!.find((n) => n.id === 'red')!.position! }] } }));
    // Moved back by hand: a new document, written as the saved one.
    expect(isDirty(s)).toBe(false);
    step(editorReducer(s, { type: 'undo' }));
    expect(s.history.present.nodes!.find((n) => n.id === 'red')!.position).toEqual(at);
    step(editorReducer(s, { type: 'undo' }));
    expect(isDirty(s)).toBe(false);
    // A save of text that is not the present document's (it changed while the file was written).
    step(editorReducer(s, { type: 'command', command: { type: 'updateNode', id: 'red', patch: { dns: ['1.1.1.1'] } } }));
    step(editorReducer(s, { type: 'saved', path: '/tmp/x.json', text: documentText(start().history.present) }));
    expect(isDirty(s)).toBe(true);
    step(editorReducer(s, { type: 'undo' }));
    expect(isDirty(s)).toBe(false);
    step(editorReducer(s, { type: 'load', doc: loadExample('04-nat') as Doc, path: null, dirty: true }));
    expect(isDirty(s)).toBe(true);
  });

  it('compares documents as JSON writes them (key order, left-out values), looking only where they differ', () => {
    const cases: Array<[unknown, unknown]> = [
      [{ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: 1, x: undefined }, { a: 1 }],
      [{ a: 1, f: () => 1 }, { a: 1 }],
      [[1, undefined], [1, null]],
      [[1, undefined], [1]],
      [{ a: { b: { c: 'x' } } }, { a: { b: { c: 'y' } } }],
      [{ a: [] }, { a: {} }],
      [{ a: NaN }, { a: null }],
      [{ a: 0 }, { a: -0 }],
      [{ a: '1' }, { a: 1 }],
      [null, {}],
      [{ d: new Date(0) }, { d: '1970-01-01T00:00:00.000Z' }],
    ];
    for (const [a, b] of cases) expect(sameJson(a, b), JSON.stringify([a, b])).toBe(JSON.stringify(a) === JSON.stringify(b));
    // A part shared by both is not read: a getter there would throw.
    const shared = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('read'); } });
    expect(sameJson({ s: shared, n: 1 }, { s: shared, n: 2 })).toBe(false);
    expect(sameJson({ s: shared, n: 1 }, { s: shared, n: 1 })).toBe(true);
  });

  it('keeps a refused command as an error and leaves the document alone', () => {
    const s0 = editorReducer(start(), { type: 'command', command: { type: 'connect', from: 'red', to: 'nowhere' } });
    expect(s0.error).toMatch(/nowhere/);
    expect(s0.history.present).toEqual(start().history.present);
    expect(s0.history.past).toHaveLength(0);
  });

  it('follows a renamed element with the selection and drops deleted ones', () => {
    let s = editorReducer(start(), { type: 'select', ids: ['red', 'blue'] });
    s = editorReducer(s, { type: 'command', command: { type: 'updateNode', id: 'red', patch: { id: 'crimson' } } });
    expect(s.selection).toEqual(['crimson', 'blue']);
    s = editorReducer(s, { type: 'command', command: { type: 'delete', ids: ['blue', 'green'] } });
    expect(s.selection).toEqual(['crimson']);
    s = editorReducer(s, { type: 'command', command: { type: 'addNode', kind: 'namespace', position: { x: 0, y: 0 } } });
    expect(s.selection).toEqual([s.history.present.nodes!.at(-1)!.id]);
  });

  it('makes a drag one undo step through its merge key', () => {
    let s = start();
    for (let i = 1; i <= 5; i++) s = editorReducer(s, { type: 'command', command: { type: 'move', moves: [{ id: 'red', position: { x: i, y: i } }] }, mergeKey: 'drag:1' });
    expect(s.history.past).toHaveLength(1);
    s = editorReducer(s, { type: 'undo' });
    expect(s.history.present).toEqual(start().history.present);
  });

  it('loads a document as a fresh history, dirty when recovered', () => {
    let s = editorReducer(start(), { type: 'command', command: { type: 'delete', ids: ['red'] } });
    s = editorReducer(s, { type: 'load', doc: loadExample('01-veth-pair') as Doc, path: null, dirty: true });
    expect(s.history.past).toHaveLength(0);
    expect(isDirty(s)).toBe(true);
  });

  it('says what a delete took besides the selection, until the next action; undo brings it all back', () => {
    const base = initialEditor(loadExample('05-port-forward') as Doc);
    const s = editorReducer(base, { type: 'command', command: { type: 'delete', ids: ['vnet0'] } });
    expect(s.notice).toBe(
      'Deleted vnet0. Also removed: 2 links (red-vnet0, blue-vnet0); 2 routes (red: default via 192.168.15.5, blue: default via 192.168.15.5); masquerade rule 192.168.15.0/24; port forward tcp 80 -> 192.168.15.2:80.',
    );
    const undone = editorReducer(s, { type: 'undo' });
    expect(undone.notice).toBeNull();
    expect(undone.history.present).toBe(base.history.present);
    expect(editorReducer(s, { type: 'dismiss' }).notice).toBeNull();
    expect(editorReducer(s, { type: 'command', command: { type: 'connect', from: 'red', to: 'red' } })).toMatchObject({ notice: null, error: 'red cannot be connected to itself; drag the link to another node' });
    // A delete that takes nothing else along says nothing.
    expect(editorReducer(base, { type: 'command', command: { type: 'delete', ids: ['web'] } }).notice).toBeNull();
  });

  it('forgets a refusal when its toast is dismissed', () => {
    const refused = editorReducer(start(), { type: 'command', command: { type: 'connect', from: 'red', to: 'red' } });
    expect(refused.error).toMatch(/itself/);
    const dismissed = editorReducer(refused, { type: 'dismiss' });
    expect(dismissed.error).toBeNull();
    expect(editorReducer(dismissed, { type: 'dismiss' })).toBe(dismissed);
  });

  it('autosaves a changed drawing and discards the autosave once the drawing is back to what is saved', () => {
    expect(autosaveAction(true, false)).toBe('save');
    expect(autosaveAction(true, true)).toBe('save');
    expect(autosaveAction(false, true)).toBe('discard');
    // A fresh start must leave the recovery of an earlier session alone.
    expect(autosaveAction(false, false)).toBe('none');
  });
});
