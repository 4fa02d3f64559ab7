/**
 * The designer's terminal and capture tabs as data: which node (or link end) each tab is on,
 * its title ("red", then "red (2)" for a second one; "red-blue.a" for a capture), and its
 * connection state. What happens on an event is decided
 * here (a pure reducer); the panel only draws it and moves bytes.
 */

export type TabState = 'connecting' | 'open' | 'ended' | 'lost' | 'failed';

export interface TerminalTab {
  /** The tab's own key (stays the same across Reconnect). */
  key: string;
  kind: 'terminal' | 'capture';
  /** The node of a terminal, the link of a capture. */
  node: string;
  /** A capture's link end. */
  end?: 'a' | 'b';
  /** A capture's BPF filter. */
  filter?: string;
  title: string;
  state: TabState;
  /** The main-side session while connecting succeeded; gone after the end. */
  sessionId?: string;
  /** What the tab says under its terminal when it is not open (why it failed, how it ended). */
  message?: string;
}

export interface TerminalTabs {
  tabs: TerminalTab[];
  active: string | null;
}

export const NO_TABS: TerminalTabs = { tabs: [], active: null };

export type TabAction =
  | { type: 'open'; key: string; node: string }
  | { type: 'capture'; key: string; link: string; end: 'a' | 'b' }
  | { type: 'reconnect'; key: string; filter?: string }
  | { type: 'opened'; key: string; sessionId: string }
  | { type: 'failed'; key: string; message: string }
  | { type: 'exit'; sessionId: string; code: number | null; lost: boolean; message?: string }
  | { type: 'activate'; key: string }
  | { type: 'close'; key: string };

/** "red", or "red (N)" when tabs on red are open already. */
function titleFor(tabs: readonly TerminalTab[], node: string): string {
  const taken = new Set(tabs.map((t) => t.title));
  if (!taken.has(node)) return node;
  for (let i = 2; ; i++) if (!taken.has(`${node} (${i})`)) return `${node} (${i})`;
}

function update(state: TerminalTabs, key: string, change: (tab: TerminalTab) => TerminalTab): TerminalTabs {
  return { ...state, tabs: state.tabs.map((t) => (t.key === key ? change(t) : t)) };
}

/** What the tab says when its shell (or capture) ended or its connection dropped. */
export function exitMessage(kind: TerminalTab['kind'], code: number | null, lost: boolean, said?: string): string {
  if (lost) return 'The connection to the lab host was lost.';
  if (kind === 'capture') return said ? `The capture stopped: ${said}` : 'The capture stopped.';
  return code === null ? 'The shell ended.' : `The shell ended (exit ${code}).`;
}

export function tabsReducer(state: TerminalTabs, action: TabAction): TerminalTabs {
  switch (action.type) {
    case 'open': {
      const key = action.key;
      const tab: TerminalTab = { key, kind: 'terminal', node: action.node, title: titleFor(state.tabs, action.node), state: 'connecting' };
      return { tabs: [...state.tabs, tab], active: key };
    }
    case 'capture': {
      const key = action.key;
      const tab: TerminalTab = { key, kind: 'capture', node: action.link, end: action.end, filter: '', title: titleFor(state.tabs, `${action.link}.${action.end}`), state: 'connecting' };
      return { tabs: [...state.tabs, tab], active: key };
    }
    case 'reconnect':
      return {
        ...update(state, action.key, ({ sessionId: _gone, message: _said, ...t }) => ({ ...t, state: 'connecting', ...(action.filter !== undefined && t.kind === 'capture' ? { filter: action.filter } : {}) })),
        active: action.key,
      };
    case 'opened':
      return update(state, action.key, (t) => (t.state === 'connecting' ? { ...t, state: 'open', sessionId: action.sessionId } : t));
    case 'failed':
      return update(state, action.key, (t) => ({ ...t, state: 'failed', message: action.message }));
    case 'exit': {
      const tab = state.tabs.find((t) => t.sessionId === action.sessionId);
      if (!tab) return state;
      return update(state, tab.key, ({ sessionId: _gone, ...t }) => ({ ...t, state: action.lost ? 'lost' : 'ended', message: exitMessage(t.kind, action.code, action.lost, action.message) }));
    }
    case 'activate':
      return state.tabs.some((t) => t.key === action.key) ? { ...state, active: action.key } : state;
    case 'close': {
      const index = state.tabs.findIndex((t) => t.key === action.key);
      if (index < 0) return state;
      const tabs = state.tabs.filter((t) => t.key !== action.key);
      const active = state.active === action.key ? (tabs[Math.min(index, tabs.length - 1)]?.key ?? null) : state.active;
      return { ...state, tabs, active };
    }
  }
}
