/**
 * A live capture on a link end: the packet list (time, source, destination, protocol, summary)
 * as tcpdump sees it, a BPF filter box (a new filter restarts the capture), Pause (the list
 * stops moving; the capture goes on and the held packets follow on Resume) and Save .pcap
 * (what the capture recorded, written by main atomically).
 */
import { useEffect, useRef, useState } from 'react';
import type { DesignerApi } from '../../shared/ipc/contract.js';
import type { PacketRow } from '../../shared/live/packet-summary.js';
import type { TerminalTab } from './terminal-tabs.js';

/** Rows kept in the list; older ones scroll away (Save .pcap still has them). */
const MAX_ROWS = 5000;

export interface CaptureViewProps {
  api: DesignerApi;
  tab: TerminalTab;
  hidden: boolean;
  onFilter(filter: string): void;
  onSave(sessionId: string): void;
}

export function CaptureView({ api, tab, hidden, onFilter, onSave }: CaptureViewProps) {
  const [rows, setRows] = useState<PacketRow[]>([]);
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState(tab.filter ?? '');
  const held = useRef<PacketRow[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const list = useRef<HTMLDivElement>(null);
  // The session that was saved last: Save stays possible after the capture stopped.
  const lastSession = useRef<string | undefined>(tab.sessionId);
  if (tab.sessionId) lastSession.current = tab.sessionId;

  useEffect(() => {
    if (!tab.sessionId) return;
    const sessionId = tab.sessionId;
    setRows([]);
    held.current = [];
    return api.on('capture:packets', (event) => {
      if (event.sessionId !== sessionId) return;
      if (pausedRef.current) held.current.push(...event.packets);
      else setRows((r) => [...r, ...event.packets].slice(-MAX_ROWS));
    });
  }, [api, tab.sessionId]);

  useEffect(() => {
    if (!paused && held.current.length > 0) {
      const more = held.current;
      held.current = [];
      setRows((r) => [...r, ...more].slice(-MAX_ROWS));
    }
  }, [paused]);

  useEffect(() => {
    const box = list.current;
    if (box && !paused) box.scrollTop = box.scrollHeight;
  }, [rows, paused]);

  return (
    <div className="capture-view" hidden={hidden} data-testid="capture-view">
      <form
        className="capture-bar"
        onSubmit={(e) => {
          e.preventDefault();
          onFilter(filter.trim());
        }}
      >
        <input aria-label="BPF filter" data-testid="capture-filter" placeholder="filter, e.g. icmp or tcp port 80" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="submit">Apply</button>
        <button type="button" data-testid="capture-pause" onClick={() => setPaused((p) => !p)}>
          {paused ? `Resume${held.current.length ? ` (${held.current.length})` : ''}` : 'Pause'}
        </button>
        <button type="button" data-testid="capture-save" disabled={!lastSession.current} onClick={() => lastSession.current && onSave(lastSession.current)}>
          Save .pcap
        </button>
        <span className="capture-count" data-testid="capture-count">
          {rows.length} packet{rows.length === 1 ? '' : 's'}
        </span>
      </form>
      <div className="capture-list" ref={list}>
        <table data-testid="capture-table">
          <thead>
            <tr>
              <th>time</th>
              <th>source</th>
              <th>destination</th>
              <th>protocol</th>
              <th>summary</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>{r.time}</td>
                <td>{r.source}</td>
                <td>{r.destination}</td>
                <td>{r.protocol}</td>
                <td>{r.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
