/**
 * The context menu of a node on the canvas: what can be done with it in the running lab
 * ("Open terminal" on namespaces, routers and the host). Closes on a choice, Escape or a click
 * elsewhere.
 */
import { useEffect } from 'react';

export interface MenuItem {
  label: string;
  run(): void;
}

export function ElementMenu({ at, items, onClose }: { at: { x: number; y: number }; items: MenuItem[]; onClose(): void }) {
  useEffect(() => {
    const close = (e: Event): void => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e instanceof MouseEvent && (e.target as Element | null)?.closest?.('.element-menu')) return;
      onClose();
    };
    window.addEventListener('keydown', close);
    window.addEventListener('mousedown', close);
    return () => {
      window.removeEventListener('keydown', close);
      window.removeEventListener('mousedown', close);
    };
  }, [onClose]);
  if (items.length === 0) return null;
  return (
    <div className="element-menu" role="menu" style={{ left: at.x, top: at.y }} data-testid="element-menu">
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          onClick={() => {
            onClose();
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
