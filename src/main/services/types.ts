/**
 * The main-side services behind the IPC contract (src/shared/ipc/contract.ts). The Electron
 * shell and the browser entry's loopback server both serve the same handlers built from these.
 */
import type { z } from 'zod';
import type { SavedTarget, SaveTargetRequest, SecretsKept } from '../../shared/ipc/contract.js';

/** Topology files: atomic saves, recent files, autosave and crash recovery. */
export interface FileService {
  /** Reads a topology file (at most 20 MiB) and records it as recent. */
  open(path: string): Promise<{ path: string; text: string }>;
  /** Writes atomically (temp file, fsync, rename) and records it as recent. */
  save(path: string, text: string): Promise<{ path: string }>;
  /** Writes any export (script, PNG, SVG) atomically; not recorded as recent. */
  writeExport(path: string, data: string | Buffer, mode?: number): Promise<{ path: string }>;
  recent(): Promise<string[]>;
  autosave(text: string, path: string | null): Promise<void>;
  recovery(): Promise<{ text: string; path: string | null; savedAt: string } | null>;
  discardRecovery(): Promise<void>;
  /** Resolves a user-given path: in browser mode inside the workspace (refusing escapes), else as given. */
  resolve(path: string): string;
}

/** Encrypts secrets with the OS keychain (Electron safeStorage) or keeps them in memory only. */
export interface SecretBox {
  /** False when no keychain is usable: secrets are then kept for this session only, never written. */
  persistent(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export interface TargetSecrets {
  password?: string;
  passphrase?: string;
  sudoPassword?: string;
}

/** Saved SSH hosts; secrets encrypted through a SecretBox, never in plain files. */
export interface TargetStore {
  list(): Promise<SavedTarget[]>;
  save(request: z.output<typeof SaveTargetRequest>): Promise<SavedTarget>;
  remove(id: string): Promise<void>;
  /** How secrets are kept now: with the OS keychain (persistent box), else in memory only. */
  secretsKept(): SecretsKept;
  /** The target and its decrypted secrets, for a run; undefined when there is no such target. */
  get(id: string): Promise<{ target: SavedTarget; secrets: TargetSecrets } | undefined>;
}

/** Native dialogs (Electron only); the browser entry has none and takes paths from the UI. */
export interface Dialogs {
  openTopology(): Promise<string | undefined>;
  saveFile(options: { suggestedName: string; kind: 'topology' | 'script' | 'png' | 'svg' | 'pcap' }): Promise<string | undefined>;
  /** Asks whether to trust an unknown host key (a native message box). */
  confirmHostKey?(host: string, port: number, fingerprint: string): Promise<boolean>;
}
