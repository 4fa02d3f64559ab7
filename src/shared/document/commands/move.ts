/**
 * move: new positions for nodes and notes; nothing else changes.
 */
import { mapShared, type Doc, type Pos } from './common.js';

/** Moves nodes and notes; unknown ids are ignored. */
export function move(doc: Doc, moves: readonly { id: string; position: Pos }[]): Doc {
  const to = new Map(moves.map((m) => [m.id, m.position]));
  const place = <T extends { id: string; position?: Pos | undefined }>(item: T): T => {
    const p = to.get(item.id);
    if (!p || (item.position && item.position.x === p.x && item.position.y === p.y)) return item;
    return { ...item, position: { x: p.x, y: p.y } };
  };
  const nodes = mapShared(doc.nodes, place);
  const notes = mapShared(doc.notes, place);
  if (nodes === doc.nodes && notes === doc.notes) return doc;
  return { ...doc, ...(nodes ? { nodes } : {}), ...(notes ? { notes } : {}) };
}
