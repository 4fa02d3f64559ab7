/**
 * Structural equality and shallow patches that keep unchanged objects identical, so a command
 * that changes nothing returns the very document it was given (and adds no undo entry).
 */

/** Deep equality of JSON-like values; shares of one object compare equal without a walk. */
export function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return Number.isNaN(x) && Number.isNaN(y);
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  const keys = Object.keys(a).filter((k) => a[k] !== undefined);
  if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
}

/**
 * `target` with the patch's keys set; a key whose value is `undefined` is removed. Returns
 * `target` itself when every patched value is already there. `__proto__` is never copied.
 */
export function shallowPatch<T extends object>(target: T, patch: Readonly<Record<string, unknown>>): T {
  let out: Record<string, unknown> | undefined;
  const current = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue;
    const has = Object.hasOwn(current, key) && current[key] !== undefined;
    if (value === undefined ? !has : has && sameValue(current[key], value)) continue;
    out ??= { ...current };
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return (out ?? target) as T;
}
