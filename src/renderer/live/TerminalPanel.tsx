/**
 * Terminal and capture tabs over the running lab: a terminal tab is an xterm.js terminal with an
 * interactive shell in a node's namespace on the lab host (main's `terminal:*` channels), a
 * capture tab a live packet list of a link end (`capture:*`, see CaptureView). Keystrokes go out as
 * they are typed (a WebSocket message in the browser, an IPC message in Electron); the pane's
 * size follows its box; closing a tab ends its shell; a dropped connection offers Reconnect.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useImperativeHandle, useReducer, useRef, type Ref } from 'react';
import type { DesignerApi, TargetRef } from '../../shared/ipc/contract.js';
import { NO_TABS, tabsReducer, type TerminalTab } from './terminal-tabs.js';
import { CaptureView } from './CaptureView.js';

export interface TerminalPanelHandle {
  /** Opens a new tab with a shell on `node`. */
  open(node: string): void;
  /** Opens a new tab with a capture on one end of `link`. */
  capture(link: string, end: 'a' | 'b'): void;
}

export interface TerminalPanelProps {
  api: DesignerApi;
  /** The drawing as it is now: main compiles it to find the node's namespace. */
  doc: unknown;
  target: TargetRef | null;
  handle: Ref<TerminalPanelHandle>;
  /** Where to save a file: undefined lets main's native dialog ask, null is a cancel. */
  pathFor(title: string, initial: string): Promise<string | undefined | null>;
  /** Says something in the status bar. */
  say(text: string, error?: boolean): void;
  /** The dock opened (its first tab) or closed (its last): the canvas above it changed size. */
  onDock(open: boolean): void;
}

/** One xterm per tab, kept while the tab exists (its scrollback survives switching tabs). */
interface Screen {
  term: Terminal;
  fit: FitAddon;
  element: HTMLDivElement;
}

export function TerminalPanel({ api, doc, target, handle, pathFor, say, onDock }: TerminalPanelProps) {
  const [state, dispatch] = useReducer(tabsReducer, NO_TABS);
  const screens = useRef(new Map<string, Screen>());
  const nextKey = useRef(1);
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

  /** The capture session each capture tab holds in main (kept after it stops, for Save). */
  const captureSessions = useRef(new Map<string, string>());

  const startCapture = (key: string, link: string, end: 'a' | 'b', filter: string): void => {
    const { doc: current, target: where } = latest.current;
    if (!where) return dispatch({ type: 'failed', key, message: 'Choose a host to run on first (the run panel).' });
    const earlier = captureSessions.current.get(key);
    if (earlier) void api.invoke('capture:close', { sessionId: earlier }).catch(() => undefined);
    captureSessions.current.delete(key);
    api.invoke('capture:start', { doc: current, target: where, link, end, filter }).then(
      (started) => {
        if (!started.ok) return dispatch({ type: 'failed', key, message: started.message });
        captureSessions.current.set(key, started.sessionId);
        dispatch({ type: 'opened', key, sessionId: started.sessionId });
      },
      (e: Error) => dispatch({ type: 'failed', key, message: e.message }),
    );
  };

  const connect = (key: string, node: string): void => {
    const { doc: current, target: where } = latest.current;
    const tab = latest.current.state.tabs.find((t) => t.key === key);
    if (tab?.kind === 'capture') return startCapture(key, tab.node, tab.end ?? 'a', tab.filter ?? '');
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
      const key = `t${nextKey.current++}`;
      dispatch({ type: 'open', key, node });
      // The tab exists after this render; its screen is made now so its size is known.
      screenFor(key);
      queueMicrotask(() => connect(key, node));
    },
    capture(link: string, end: 'a' | 'b') {
      const key = `t${nextKey.current++}`;
      dispatch({ type: 'capture', key, link, end });
      queueMicrotask(() => startCapture(key, link, end, ''));
    },
  }));

  const save = async (sessionId: string): Promise<void> => {
    try {
      const path = await pathFor('Save the capture as', 'capture.pcap');
      if (path === null) return;
      const saved = await api.invoke('capture:save', { sessionId, ...(path !== undefined ? { path } : {}) });
      if (saved) say(`Saved ${saved.packets} packet${saved.packets === 1 ? '' : 's'} to ${saved.path}`);
    } catch (e) {
      say((e as Error).message, true);
    }
  };

  useEffect(() => {
    const offData = api.on('terminal:data', ({ sessionId, data }) => {
      const tab = latest.current.state.tabs.find((t) => t.sessionId === sessionId);
      if (tab) screens.current.get(tab.key)?.term.write(data);
    });
    const offExit = api.on('terminal:exit', (exit) => dispatch({ type: 'exit', ...exit }));
    const offCapture = api.on('capture:exit', (exit) => dispatch({ type: 'exit', ...exit }));
    return () => {
      offData();
      offExit();
      offCapture();
    };
  }, [api]);

  // Show the active tab's screen in the pane, fitted to it; refit when the pane changes size.
  const active = state.tabs.find((t) => t.key === state.active);
  useEffect(() => {
    const box = host.current;
    if (!box || !active || active.kind !== 'terminal') return;
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
    const capture = captureSessions.current.get(tab.key);
    captureSessions.current.delete(tab.key);
    if (capture) void api.invoke('capture:close', { sessionId: capture }).catch(() => undefined);
    else if (tab.sessionId) void api.invoke('terminal:close', { sessionId: tab.sessionId }).catch(() => undefined);
    screens.current.get(tab.key)?.term.dispose();
    screens.current.delete(tab.key);
    dispatch({ type: 'close', key: tab.key });
  };

  const docked = state.tabs.length > 0;
  const onDockRef = useRef(onDock);
  onDockRef.current = onDock;
  const wasDocked = useRef(false);
  useEffect(() => {
    if (docked !== wasDocked.current) onDockRef.current(docked);
    wasDocked.current = docked;
  }, [docked]);

  if (!docked) return null;
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
          {active.state === 'connecting' ? `Connecting to ${active.node}${active.kind === 'capture' ? `.${active.end ?? 'a'}` : ''}…` : active.message}
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
      <div className="live-screen" ref={host} data-testid="terminal-screen" hidden={active?.kind !== 'terminal'} />
      {state.tabs
        .filter((t) => t.kind === 'capture')
        .map((t) => (
          <CaptureView
            key={t.key}
            api={api}
            tab={t}
            hidden={t.key !== state.active}
            onSave={(sessionId) => void save(sessionId)}
            onFilter={(filter) => {
              dispatch({ type: 'reconnect', key: t.key, filter });
              startCapture(t.key, t.node, t.end ?? 'a', filter);
            }}
          />
        ))}
    </section>
  );
}
