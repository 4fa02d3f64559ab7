/**
 * The text stages: bytes become text only as strict UTF-8 (decodeUtf8, for the places files are
 * read), and malformed JSON becomes one problem naming line, column and what was expected.
 */
import type { Problem } from '../problems.js';
import { quote } from './format.js';
import { documentProblem } from './results.js';

interface JsonError {
  offset: number;
  expected: string;
}

const EXPECTATIONS = {
  value: 'a value: a "string", a number, true, false, null, an {object} or a [list]',
  key: 'a field name in double quotes',
  colon: '":" after the field name',
};

/** Points at the first character that breaks the JSON grammar; iterative, so deep nesting cannot overflow. */
function findJsonError(text: string): JsonError | undefined {
  const stack: string[] = [];
  let want: 'value' | 'key' | 'colon' | 'after' = 'value';
  let opened = false;
  let i = 0;
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    const top = stack.at(-1);
    const close = top === '{' ? '}' : ']';
    const fail = (): JsonError => ({ offset: i, expected: want === 'after' ? `"," or "${close}"` : EXPECTATIONS[want] });
    if (want === 'after' && top === undefined) return c === undefined ? undefined : { offset: i, expected: 'nothing after the end of the document' };
    if (c === undefined) return fail();
    if (opened && c === close) {
      stack.pop();
      i++;
      want = 'after';
      opened = false;
      continue;
    }
    opened = false;
    if (want === 'value') {
      if (c === '{' || c === '[') {
        stack.push(c);
        want = c === '{' ? 'key' : 'value';
        opened = true;
        i++;
        continue;
      }
      if (c === '"') {
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
      } else {
        number.lastIndex = i;
        const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        const length = literal?.length ?? (number.test(text) ? number.lastIndex - i : 0);
        if (length === 0) return fail();
        i += length;
      }
      want = 'after';
    } else if (want === 'key') {
      if (c !== '"') return fail();
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = end;
      want = 'colon';
    } else if (want === 'colon') {
      if (c !== ':') return fail();
      i++;
      want = 'value';
    } else {
      if (c === ',') want = top === '{' ? 'key' : 'value';
      else if (c === close) stack.pop();
      else return fail();
      i++;
    }
  }
}

function scanString(text: string, start: number): number | JsonError {
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"') return j + 1;
    if (c < ' ') return { offset: j, expected: 'the closing " of the string on the same line' };
    if (c !== '\\') continue;
    const escape = text[j + 1] ?? '';
    if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) j += 5;
    else if (escape !== '' && '"\\/bfnrt'.includes(escape)) j++;
    else return { offset: j, expected: 'a valid escape after the backslash, such as \\n, \\" or \\\\' };
  }
  return { offset: text.length, expected: 'the closing " of the string' };
}

/** The problem for text JSON.parse refused: where, and what the grammar expected there. */
export function jsonProblem(text: string, error: unknown): Problem {
  const found = findJsonError(text);
  if (!found) return documentProblem('', `the file is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - before.lastIndexOf('\n');
  const at = text[found.offset];
  const what = at === undefined ? 'the file ends' : `unexpected ${quote(at)}`;
  return documentProblem('', `the file is not valid JSON: ${what} at line ${line}, column ${column}; expected ${found.expected}`);
}

/** Bytes that are not UTF-8, with where they are: the byte offset, and line and column as an editor counts them. */
export class InvalidUtf8Error extends Error {
  override readonly name = 'InvalidUtf8Error';
  constructor(
    readonly offset: number,
    readonly line: number,
    readonly column: number,
    readonly byte: number,
  ) {
    super(
      `the file is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at line ${line}, column ${column} (byte offset ${offset}) starts no character; save the file as UTF-8`,
    );
  }
}

/**
 * Decodes a topology file's bytes as strict UTF-8, where the bytes come in (the CLI's reader,
 * the app's file service): a malformed sequence is an InvalidUtf8Error saying where, instead
 * of a silent U+FFFD in a name.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset));
    throw new InvalidUtf8Error(offset, line, [...before].length + 1, bytes[offset] ?? 0);
  }
}

/** Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: sequence length and the allowed range of the second byte (no overlongs, surrogates or > U+10FFFF).
    const [length, low, high] =
      b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf]
      : b === 0xed ? [3, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
      : b === 0xf0 ? [4, 0x90, 0xbf]
      : b === 0xf4 ? [4, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += length;
  }
  return bytes.length;
}
