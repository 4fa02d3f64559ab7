/**
 * The sandboxed preload: exposes `window.nsd` (the contract's DesignerApi) and nothing else.
 * Built into one CommonJS file (vite.preload.config.ts): a sandboxed preload cannot load
 * modules, so everything but `electron` is bundled, and this entry exports nothing.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createDesignerApi } from './api.js';

contextBridge.exposeInMainWorld('nsd', createDesignerApi(ipcRenderer));
