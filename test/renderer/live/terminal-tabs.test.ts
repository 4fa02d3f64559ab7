import { describe, expect, it } from 'vitest';
import { NO_TABS, tabsReducer, type TabAction, type TerminalTabs } from '../../../src/renderer/live/terminal-tabs.js';

function run(...actions: TabAction[]): TerminalTabs {
  return actions.reduce(tabsReducer, NO_TABS);
}

describe('terminal-tabs', () => {
  it('names tabs after their nodes, numbering a second tab on the same node, and activates the newest', () => {
    const s = run({ type: 'open', key: 't1', node: 'red' }, { type: 'open', key: 't2', node: 'blue' }, { type: 'open', key: 't3', node: 'red' });
    expect(s.tabs.map((t) => t.title)).toEqual(['red', 'blue', 'red (2)']);
    expect(s.active).toBe('t3');
    expect(s.tabs.every((t) => t.state === 'connecting')).toBe(true);
  });

  it('opens, then tells how the shell ended or that the connection dropped, and reconnects the same tab', () => {
    let s = run({ type: 'open', key: 't1', node: 'red' }, { type: 'opened', key: 't1', sessionId: 's1' });
    expect(s.tabs[0]).toMatchObject({ state: 'open', sessionId: 's1' });
    s = tabsReducer(s, { type: 'exit', sessionId: 's1', code: null, lost: true });
    expect(s.tabs[0]).toEqual({ key: 't1', kind: 'terminal', node: 'red', title: 'red', state: 'lost', message: 'The connection to the lab host was lost.' });
    s = tabsReducer(s, { type: 'reconnect', key: 't1' });
    expect(s.tabs[0]).toEqual({ key: 't1', kind: 'terminal', node: 'red', title: 'red', state: 'connecting' });
    s = tabsReducer(tabsReducer(s, { type: 'opened', key: 't1', sessionId: 's2' }), { type: 'exit', sessionId: 's2', code: 0, lost: false });
    expect(s.tabs[0]).toMatchObject({ state: 'ended', message: 'The shell ended (exit 0).' });
    // An exit of a session no tab holds any more changes nothing.
    expect(tabsReducer(s, { type: 'exit', sessionId: 's1', code: 1, lost: false })).toBe(s);
  });

  it('keeps a failure message, and ignores an open that arrives after the tab failed', () => {
    let s = run({ type: 'open', key: 't1', node: 'red' }, { type: 'failed', key: 't1', message: 'the sandbox lab host "default" is not up' });
    s = tabsReducer(s, { type: 'opened', key: 't1', sessionId: 'late' });
    expect(s.tabs[0]).toMatchObject({ state: 'failed', message: 'the sandbox lab host "default" is not up' });
    expect(s.tabs[0]!.sessionId).toBeUndefined();
  });

  it('closing the active tab activates its neighbour; closing the last leaves none', () => {
    let s = run({ type: 'open', key: 't1', node: 'a' }, { type: 'open', key: 't2', node: 'b' }, { type: 'open', key: 't3', node: 'c' }, { type: 'activate', key: 't2' });
    s = tabsReducer(s, { type: 'close', key: 't2' });
    expect(s.active).toBe('t3');
    s = tabsReducer(s, { type: 'close', key: 't3' });
    expect(s.active).toBe('t1');
    s = tabsReducer(s, { type: 'close', key: 't1' });
    expect(s).toMatchObject({ tabs: [], active: null });
    // A new tab after that is "a" again.
    expect(tabsReducer(s, { type: 'open', key: 't4', node: 'a' }).tabs[0]!.title).toBe('a');
  });

  it('captures on a link end in a tab named after it, keeps a new filter across a restart, and says what stopped it', () => {
    let s = run({ type: 'capture', key: 't1', link: 'red-blue', end: 'b' }, { type: 'opened', key: 't1', sessionId: 'c1' });
    expect(s.tabs[0]).toMatchObject({ kind: 'capture', node: 'red-blue', end: 'b', title: 'red-blue.b', filter: '', state: 'open' });
    s = tabsReducer(s, { type: 'reconnect', key: 't1', filter: 'icmp' });
    expect(s.tabs[0]).toMatchObject({ state: 'connecting', filter: 'icmp' });
    s = tabsReducer(tabsReducer(s, { type: 'opened', key: 't1', sessionId: 'c2' }), { type: 'exit', sessionId: 'c2', code: 1, lost: false, message: 'tcpdump: syntax error' });
    expect(s.tabs[0]).toMatchObject({ state: 'ended', message: 'The capture stopped: tcpdump: syntax error' });
  });
});
