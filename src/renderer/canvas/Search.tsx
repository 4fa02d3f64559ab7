/**
 * The search box (Ctrl+F): type a name or an address; the best match is selected and centred at
 * a readable zoom. Enter goes to the next match, Shift+Enter to the previous, Escape closes.
 */
import type { Core } from 'cytoscape';
import { useMemo, useState } from 'react';
import type { CanvasNode } from './elements.js';
import { searchNodes } from './search.js';

/** The zoom a found node is shown at (unless the view is already closer). */
export const READABLE_ZOOM = 1;

export function Search(props: { cy: Core; nodes: readonly CanvasNode[]; onSelect(id: string): void; onClose(): void }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const matches = useMemo(() => searchNodes(props.nodes, query), [props.nodes, query]);

  const show = (id: string | undefined): void => {
    if (id === undefined) return;
    const { cy } = props;
    const ele = cy.getElementById(id);
    if (ele.empty()) return;
    props.onSelect(id);
    // The node itself in the middle (cy.center would centre its box, label included).
    const zoom = Math.max(cy.zoom(), READABLE_ZOOM);
    const p = ele.position();
    cy.viewport({ zoom, pan: { x: cy.width() / 2 - p.x * zoom, y: cy.height() / 2 - p.y * zoom } });
  };

  return (
    <div className="canvas-search" role="search">
      <input
        autoFocus
        data-testid="search"
        placeholder="Find a name or address"
        aria-label="Find a name or address"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(0);
          show(searchNodes(props.nodes, e.target.value)[0]);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            props.onClose();
          } else if (e.key === 'Enter' && matches.length > 0) {
            e.preventDefault();
            const next = (index + (e.shiftKey ? matches.length - 1 : 1)) % matches.length;
            setIndex(next);
            show(matches[next]);
          }
        }}
      />
      <span className="count" data-testid="search-count">
        {query.trim() === '' ? '' : matches.length === 0 ? 'no match' : `${index + 1} of ${matches.length}`}
      </span>
      <button type="button" aria-label="Close search" onClick={props.onClose}>×</button>
    </div>
  );
}
