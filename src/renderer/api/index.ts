/**
 * Picks the API the renderer talks to: the Electron preload's `window.nsd`, or the browser
 * entry's loopback channel with the token handed over in the URL fragment.
 */
import type { DesignerApi } from '../../shared/ipc/contract.js';
import { httpApi } from './http-client.js';

declare global {
  interface Window {
    nsd?: DesignerApi;
  }
}

/** The API, or an error message saying how to open the app properly. */
export function pickApi(): DesignerApi | string {
  if (window.nsd) return window.nsd;
  const fromHash = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(window.location.hash)?.[1];
  const token = fromHash ?? sessionStorage.getItem('nsd-token') ?? undefined;
  if (!token) return 'This page needs the link printed by "nsd designer" (it carries an access token).';
  sessionStorage.setItem('nsd-token', token);
  // Keep the token out of the address bar, history and screenshots.
  if (fromHash) history.replaceState(null, '', window.location.pathname + window.location.search);
  return httpApi(token);
}
