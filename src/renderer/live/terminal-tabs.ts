/**
 * The designer's terminal tabs as data: which node each tab is on, its title ("red", then
 * "red (2)" for a second one), and its connection state. What happens on an event is decided
 * here (a pure reducer); the panel only draws it and moves bytes.
 */

export type TabState = 'connecting' | 'open' | 'ended' | 'lost' | 'failed';

export interface TerminalTab {
  /** The tab's own key (stays the same across Reconnect). */
  key: string;
  node: string;
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
  /** The next tab key. */
  next: number;
}

export const NO_TABS: TerminalTabs = { tabs: [], active: null, next: 1 };

export type TabAction =
  | { type: 'open'; node: string }
  | { type: 'reconnect'; key: string }
  | { type: 'opened'; key: string; sessionId: string }
  | { type: 'failed'; key: string; message: string }
  | { type: 'exit'; sessionId: string; code: number | null; lost: boolean }
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

/** What the tab says when its shell ended or its connection dropped. */
export function exitMessage(code: number | null, lost: boolean): string {
  if (lost) return 'The connection to the lab host was lost.';
  return code === null ? 'The shell ended.' : `The shell ended (exit ${code}).`;
}

export function tabsReducer(state: TerminalTabs, action: TabAction): TerminalTabs {
  switch (action.type) {
    case 'open': {
      const key = `t${state.next}`;
      const tab: TerminalTab = { key, node: action.node, title: titleFor(state.tabs, action.node), state: 'connecting' };
      return { tabs: [...state.tabs, tab], active: key, next: state.next + 1 };
    }
    case 'reconnect':
      return { ...update(state, action.key, ({ sessionId: _gone, message: _said, ...t }) => ({ ...t, state: 'connecting' })), active: action.key };
    case 'opened':
      return update(state, action.key, (t) => (t.state === 'connecting' ? { ...t, state: 'open', sessionId: action.sessionId } : t));
    case 'failed':
      return update(state, action.key, (t) => ({ ...t, state: 'failed', message: action.message }));
    case 'exit': {
      const tab = state.tabs.find((t) => t.sessionId === action.sessionId);
      if (!tab) return state;
      return update(state, tab.key, ({ sessionId: _gone, ...t }) => ({ ...t, state: action.lost ? 'lost' : 'ended', message: exitMessage(action.code, action.lost) }));
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
