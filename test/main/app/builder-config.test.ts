import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// js-yaml ships no types of its own; only load() is used.
const yaml = require('js-yaml') as { load(text: string): unknown };
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface BuilderConfig {
  files: string[];
  extraResources: { from: string; to: string }[];
  asar: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: string[] };
  mac: { target: string };
  win: { target: string };
}

const config = yaml.load(readFileSync(`${root}electron-builder.yml`, 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { main: string; scripts: Record<string, string> };

describe('builder-config', () => {
  it("passes electron-builder's own configuration schema", () => {
    // The schema file of the electron-builder that is installed, validated the way it validates.
    const builderRequire = createRequire(require.resolve('electron-builder/package.json'));
    const schema = JSON.parse(readFileSync(builderRequire.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('flips the fuses of the Electron security checklist', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('builds AppImage and deb for Linux, dmg for macOS and nsis for Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('packs dist and assets, the examples as resources, and the entry package.json names', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'assets/**', 'package.json']));
    expect(config.extraResources).toEqual([expect.objectContaining({ from: 'assets/examples', to: 'examples' })]);
    expect(pkg.main).toBe('dist/main/app/main.js');
    expect(pkg.scripts['build:preload']).toBe('vite build --config vite.preload.config.ts');
    expect(pkg.scripts.start).toBe('npm run build:app && electron .');
    // The app build compiles main, bundles the preload and builds the renderer (through "build").
    expect(pkg.scripts['build:app']).toMatch(/^npm run build && npm run build:preload/);
    expect(pkg.scripts.build).toContain('npm run build:renderer');
  });
});
