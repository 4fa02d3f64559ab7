/**
 * Terminal tabs over the running lab: each tab an xterm.js terminal with an interactive shell
 * in a node's namespace on the lab host (main's `terminal:*` channels). Keystrokes go out as
 * they are typed (a WebSocket message in the browser, an IPC message in Electron); the pane's
 * size follows its box; closing a tab ends its shell; a dropped connection offers Reconnect.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useImperativeHandle, useReducer, useRef, type Ref } from 'react';
import type { DesignerApi, TargetRef } from '../../shared/ipc/contract.js';
import { NO_TABS, tabsReducer, type TerminalTab } from './terminal-tabs.js';

export interface TerminalPanelHandle {
  /** Opens a new tab with a shell on `node`. */
  open(node: string): void;
}

export interface TerminalPanelProps {
  api: DesignerApi;
  /** The drawing as it is now: main compiles it to find the node's namespace. */
  doc: unknown;
  target: TargetRef | null;
  handle: Ref<TerminalPanelHandle>;
}

/** One xterm per tab, kept while the tab exists (its scrollback survives switching tabs). */
interface Screen {
  term: Terminal;
  fit: FitAddon;
  element: HTMLDivElement;
}

export function TerminalPanel({ api, doc, target, handle }: TerminalPanelProps) {
  const [state, dispatch] = useReducer(tabsReducer, NO_TABS);
  const screens = useRef(new Map<string, Screen>());
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef({ state, doc, target });
  latest.current = { state, doc, target };

  const screenFor = (key: string): Screen => {
    let screen = screens.current.get(key);
    if (!screen) {
      const term = new Terminal({ fontSize: 13, cursorBlink: true, convertEol: false, scrollback: 5000 });
      const fit = new FitAddon();
      term.loadAddon(fit);
      const element = document.createElement('div');
      element.className = 'terminal-screen';
      element.dataset.tab = key;
      term.onData((data) => {
        const tab = latest.current.state.tabs.find((t) => t.key === key);
        if (tab?.state === 'open' && tab.sessionId) void api.invoke('terminal:input', { sessionId: tab.sessionId, data }).catch(() => undefined);
      });
      term.onResize(({ cols, rows }) => {
        const tab = latest.current.state.tabs.find((t) => t.key === key);
        if (tab?.state === 'open' && tab.sessionId) void api.invoke('terminal:resize', { sessionId: tab.sessionId, cols, rows }).catch(() => undefined);
      });
      screen = { term, fit, element };
      screens.current.set(key, screen);
    }
    return screen;
  };

  const connect = (key: string, node: string): void => {
    const { doc: current, target: where } = latest.current;
    if (!where) {
      dispatch({ type: 'failed', key, message: 'Choose a host to run on first (the run panel).' });
      return;
    }
    const screen = screenFor(key);
    const size = { cols: Math.max(2, screen.term.cols), rows: Math.max(1, screen.term.rows) };
    api.invoke('terminal:open', { doc: current, target: where, node, ...size }).then(
      (opened) => {
        if (!opened.ok) return dispatch({ type: 'failed', key, message: opened.message });
        dispatch({ type: 'opened', key, sessionId: opened.sessionId });
        // The pane may have been fitted while the shell was starting.
        const { cols, rows } = screen.term;
        if (cols !== size.cols || rows !== size.rows) void api.invoke('terminal:resize', { sessionId: opened.sessionId, cols, rows }).catch(() => undefined);
      },
      (e: Error) => dispatch({ type: 'failed', key, message: e.message }),
    );
  };

  useImperativeHandle(handle, () => ({
    open(node: string) {
      const key = `t${latest.current.state.next}`;
      dispatch({ type: 'open', node });
      // The tab exists after this render; its screen is made now so its size is known.
      screenFor(key);
      queueMicrotask(() => connect(key, node));
    },
  }));

  useEffect(() => {
    const offData = api.on('terminal:data', ({ sessionId, data }) => {
      const tab = latest.current.state.tabs.find((t) => t.sessionId === sessionId);
      if (tab) screens.current.get(tab.key)?.term.write(data);
    });
    const offExit = api.on('terminal:exit', (exit) => dispatch({ type: 'exit', ...exit }));
    return () => {
      offData();
      offExit();
    };
  }, [api]);

  // Show the active tab's screen in the pane, fitted to it; refit when the pane changes size.
  const active = state.tabs.find((t) => t.key === state.active);
  useEffect(() => {
    const box = host.current;
    if (!box || !active) return;
    const screen = screenFor(active.key);
    box.replaceChildren(screen.element);
    if (!screen.term.element) screen.term.open(screen.element);
    screen.fit.fit();
    screen.term.focus();
    const observer = new ResizeObserver(() => screen.fit.fit());
    observer.observe(box);
    return () => observer.disconnect();
    // Only the active tab matters: screenFor reads refs only.
  }, [active?.key]);

  // Tabs whose session is gone lose their screen when closed; an open one ends its shell first.
  const close = (tab: TerminalTab): void => {
    if (tab.sessionId) void api.invoke('terminal:close', { sessionId: tab.sessionId }).catch(() => undefined);
    screens.current.get(tab.key)?.term.dispose();
    screens.current.delete(tab.key);
    dispatch({ type: 'close', key: tab.key });
  };

  if (state.tabs.length === 0) return null;
  return (
    <section className="live-dock" data-testid="terminals" aria-label="Terminals">
      <div className="live-tabs" role="tablist">
        {state.tabs.map((tab) => (
          <div key={tab.key} className={`live-tab${tab.key === state.active ? ' active' : ''} ${tab.state}`} role="tab" aria-selected={tab.key === state.active}>
            <button type="button" className="live-tab-title" onClick={() => dispatch({ type: 'activate', key: tab.key })}>
              {tab.title}
            </button>
            <button type="button" className="live-tab-close" aria-label={`Close terminal ${tab.title}`} onClick={() => close(tab)}>
              ×
            </button>
          </div>
        ))}
      </div>
      {active && active.state !== 'open' && (
        <div className={`live-note ${active.state}`} data-testid="terminal-note">
          {active.state === 'connecting' ? `Connecting to ${active.node}…` : active.message}
          {(active.state === 'lost' || active.state === 'ended' || active.state === 'failed') && (
            <button
              type="button"
              onClick={() => {
                dispatch({ type: 'reconnect', key: active.key });
                screens.current.get(active.key)?.term.write('\r\n');
                connect(active.key, active.node);
              }}
            >
              Reconnect
            </button>
          )}
        </div>
      )}
      <div className="live-screen" ref={host} data-testid="terminal-screen" />
    </section>
  );
}
