/**
 * Search on the canvas (Ctrl+F): the nodes whose name, id or address matches what was typed.
 * Exact matches first (a name, an address with or without its prefix length), then those that
 * start with it, then those that contain it; ties in drawing order. Pure, tested under Node.
 */
import type { CanvasNode } from './elements.js';

export function searchNodes(nodes: readonly Pick<CanvasNode, 'id' | 'terms'>[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const ranked: { id: string; rank: number; index: number }[] = [];
  nodes.forEach((n, index) => {
    let rank = 3;
    for (const term of n.terms) {
      const t = term.toLowerCase();
      if (t === q) rank = 0;
      else if (rank > 1 && t.startsWith(q)) rank = 1;
      else if (rank > 2 && t.includes(q)) rank = 2;
    }
    if (rank < 3) ranked.push({ id: n.id, rank, index });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return ranked.map((r) => r.id);
}
