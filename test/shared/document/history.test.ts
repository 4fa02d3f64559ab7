import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/shared/compiler/validate/index.js';
import { emptyDocument, perform, CommandError, type Doc, type EditorCommand } from '../../../src/shared/document/commands.js';
import { apply, canRedo, canUndo, createHistory, HISTORY_LIMIT, redo, undo, type History } from '../../../src/shared/document/history.js';
import { loadExample } from '../../support/examples.js';

const add: EditorCommand = { type: 'addNode', kind: 'namespace', position: { x: 0, y: 0 } };
const moveRed = (x: number): EditorCommand => ({ type: 'move', moves: [{ id: 'red', position: { x, y: 0 } }] });
const ids = (doc: Doc) => (doc.nodes ?? []).map((n) => n.id);
const step = (h: History, cmd: EditorCommand, mergeKey?: string) => apply(h, cmd, mergeKey !== undefined ? { mergeKey } : {}).history;

describe('history', () => {
  it('records a command, undoes and redoes it', () => {
    const start = emptyDocument();
    const { history, selection } = apply(createHistory(start), add);
    expect(selection).toEqual(['red']);
    expect(ids(history.present)).toEqual(['red']);
    expect(canUndo(history)).toBe(true);
    expect(canRedo(history)).toBe(false);
    const undone = undo(history);
    expect(undone.present).toBe(start);
    expect(canRedo(undone)).toBe(true);
    expect(redo(undone).present).toBe(history.present);
  });

  it('leaves the history alone when there is nothing to undo or redo', () => {
    const h = createHistory(emptyDocument());
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
  });

  it.each<[string, EditorCommand]>([
    ['a move to the same place', moveRed(0)],
    ['a delete of nothing', { type: 'delete', ids: ['nothing'] }],
    ['a patch to the same value', { type: 'updateNode', id: 'red', patch: { kind: 'namespace' } }],
    ['an empty paste', { type: 'paste', clipboard: { nodes: [], links: [], notes: [] }, offset: { x: 1, y: 1 } }],
  ])('adds no entry for %s', (_what, cmd) => {
    const h = step(createHistory(emptyDocument()), add);
    const after = apply(h, cmd).history;
    expect(after).toBe(h);
  });

  it('merges commands with the same mergeKey in a row into one entry', () => {
    let h = step(createHistory(emptyDocument()), add);
    const beforeDrag = h.present;
    for (const x of [10, 20, 30]) h = step(h, moveRed(x), 'drag:1');
    expect(h.past).toHaveLength(2);
    expect(h.lastKey).toBe('drag:1');
    const undone = undo(h);
    expect(undone.present).toBe(beforeDrag);
    expect(redo(undone).present.nodes![0]!.position).toEqual({ x: 30, y: 0 });
  });

  it('starts a new entry for another mergeKey, a command without key, or after undo', () => {
    let h = step(createHistory(emptyDocument()), add);
    h = step(h, moveRed(10), 'drag:1');
    h = step(h, moveRed(20), 'drag:2');
    expect(h.past).toHaveLength(3);
    h = step(h, moveRed(30));
    h = step(h, moveRed(40), 'drag:2');
    expect(h.past).toHaveLength(5);
    h = undo(h);
    expect(h.lastKey).toBeUndefined();
    h = step(h, moveRed(50), 'drag:2');
    expect(h.past).toHaveLength(5);
  });

  it('clears the redo list when a new command is recorded', () => {
    let h = step(step(createHistory(emptyDocument()), add), add);
    h = undo(h);
    expect(canRedo(h)).toBe(true);
    h = step(h, moveRed(5));
    expect(canRedo(h)).toBe(false);
  });

  it('does not record replace: loading a file starts a new history', () => {
    const h = step(step(createHistory(emptyDocument()), add), add);
    const file = loadExample('02-bridge') as Doc;
    const { history, selection } = apply(h, { type: 'replace', doc: file });
    expect(history).toEqual({ past: [], present: file, future: [] });
    expect(selection).toEqual([]);
    expect(canUndo(history)).toBe(false);
  });

  it('passes a CommandError through and keeps the history', () => {
    const h = step(createHistory(emptyDocument()), { type: 'addNode', kind: 'host', position: { x: 0, y: 0 } });
    expect(() => apply(h, { type: 'addNode', kind: 'host', position: { x: 0, y: 0 } })).toThrow(CommandError);
    expect(h.past).toHaveLength(1);
  });

  it(`keeps at most ${HISTORY_LIMIT} entries, dropping the oldest`, () => {
    let h = createHistory(perform(emptyDocument(), add).doc);
    const presents: Doc[] = [h.present];
    for (let x = 1; x <= HISTORY_LIMIT + 20; x++) {
      h = step(h, moveRed(x));
      presents.push(h.present);
    }
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    let undone = h;
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) undone = undo(undone);
    expect(undone.present).toBe(presents[20]);
    expect(undone.present.nodes![0]!.position).toEqual({ x: 20, y: 0 });
  });

  it('undoes and redoes a 500-namespace lab back to every recorded state', () => {
    let h = step(createHistory(emptyDocument('big')), { type: 'addNode', kind: 'bridge', position: { x: 0, y: 0 } });
    h = step(h, { type: 'updateNode', id: 'vnet0', patch: { addresses: ['10.0.0.1/16'] } });
    const states: Doc[] = [h.present];
    let direct: Doc = h.present;
    for (let i = 0; i < 500; i++) {
      const created = apply(h, add);
      const id = created.selection![0]!;
      h = step(created.history, { type: 'connect', from: id, to: 'vnet0' });
      direct = perform(perform(direct, add).doc, { type: 'connect', from: id, to: 'vnet0' }).doc;
      states.push(created.history.present, h.present);
    }
    expect(h.present).toEqual(direct);
    expect(h.present.nodes).toHaveLength(501);
    expect(validate(h.present).ok).toBe(true);
    let back = h;
    for (let i = 1; i <= HISTORY_LIMIT; i++) {
      back = undo(back);
      expect(back.present).toBe(states.at(-1 - i));
    }
    expect(canUndo(back)).toBe(false);
    expect(back.present.nodes).toHaveLength(401);
    expect(validate(back.present).ok).toBe(true);
    let forward = back;
    while (canRedo(forward)) forward = redo(forward);
    expect(forward.present).toBe(h.present);
  });
});
