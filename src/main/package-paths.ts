/**
 * Where the package's own files are, for the CLI, the app, the browser entry and the tests
 * alike: the package root, the bundled examples (and the one loader that reads them), the JSON
 * Schema, the built renderer and the app's icon. `src/main` and `dist/main` are both two levels below the root.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The bundled example topologies (`nsd examples`, the designer's templates). */
export const EXAMPLES_DIR = join(PACKAGE_ROOT, 'assets', 'examples');

/** The shipped JSON Schema of the document format (`npm run schema` writes it). */
export const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'topology.schema.json');

/** The built renderer (`npm run build:renderer`), served by the app and the browser entry. */
export const RENDERER_DIR = join(PACKAGE_ROOT, 'dist', 'renderer');

/** The app's window icon. */
export const ICON_FILE = join(PACKAGE_ROOT, 'assets', 'icons', 'icon.png');

/** The package version, from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** One bundled example. */
export interface Example {
  /** The file stem, e.g. `04-nat`. */
  id: string;
  path: string;
  /** The file as written (for validators and the schema check, which read text). */
  text: string;
  title: string;
  description: string;
  /** The document as written, without its editor-only `$schema` pointer. */
  doc: Record<string, unknown>;
}

/** Every example in `dir`, in file-name order (the tutorial's order). */
export function readExamples(dir = EXAMPLES_DIR): Example[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const doc = JSON.parse(text) as Record<string, unknown>;
      delete doc.$schema;
      return { id: file.replace(/\.json$/, ''), path, text, title: typeof doc.title === 'string' ? doc.title : file, description: typeof doc.description === 'string' ? doc.description : '', doc };
    });
}
