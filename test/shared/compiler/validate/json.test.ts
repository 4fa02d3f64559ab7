import { describe, expect, it } from 'vitest';
import { decodeUtf8, InvalidUtf8Error, validateText } from '../../../../src/shared/compiler/validate/index.js';
import { PAIR } from './cases.js';

describe('JSON syntax', () => {
  it.each([
    ['a trailing comma', '{\n  "version": 1,\n  "nodes": [1,]\n}', 'unexpected "]" at line 3, column 15; expected a value'],
    ['a missing comma', '{"version": 1\n "name": "x"}', 'unexpected "\\"" at line 2, column 2; expected "," or "}"'],
    ['single quotes', "{'version': 1}", `unexpected "'" at line 1, column 2; expected a field name in double quotes`],
    ['an unclosed object', '{"version": 1', 'the file ends at line 1, column 14; expected "," or "}"'],
    ['an empty file', '', 'the file ends at line 1, column 1; expected a value'],
    ['text after the document', '{} {}', 'unexpected "{" at line 1, column 4; expected nothing after the end of the document'],
    ['a bad escape', '{"a": "\\x"}', 'line 1, column 8; expected a valid escape'],
    ['a raw newline in a string', '{"a": "x\ny"}', 'line 1, column 9; expected the closing " of the string on the same line'],
    ['a bare word', '{"a": True}', 'unexpected "T" at line 1, column 7; expected a value'],
  ])('names line and column for %s', (_name, text, message) => {
    const result = validateText(text);
    expect(result).toEqual({ ok: false, problems: [{ severity: 'error', element: null, path: '', message: expect.stringContaining(message) }] });
  });

  it('accepts a leading byte order mark', () => {
    expect(validateText(`\uFEFF${JSON.stringify(PAIR)}`).ok).toBe(true);
  });
});

describe('decodeUtf8', () => {
  const bytes = (...parts: (string | number[])[]) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p as string))));

  it('decodes UTF-8, multi-byte characters included', () => {
    expect(decodeUtf8(bytes('{"title": "ça ✓ 😀"}'))).toBe('{"title": "ça ✓ 😀"}');
  });

  it('says where the first invalid byte is: line, column in characters, byte offset', () => {
    const error = (() => {
      try {
        decodeUtf8(bytes('{\n  "title": "ça', [0xe9], '"}'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidUtf8Error);
    expect(error).toMatchObject({ offset: 17, line: 2, column: 15, byte: 0xe9 });
    expect((error as Error).message).toBe('the file is not valid UTF-8: byte 0xe9 at line 2, column 15 (byte offset 17) starts no character; save the file as UTF-8');
  });

  it.each([
    ['a lone continuation byte', [0x80], 0],
    ['a truncated sequence at the end', [0x41, 0xe2, 0x82], 1],
    ['an overlong encoding of "/"', [0xc0, 0xaf], 0],
    ['an encoded surrogate', [0x41, 0x42, 0xed, 0xa0, 0x80], 2],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
  ])('refuses %s', (_name, raw, offset) => {
    expect(() => decodeUtf8(bytes(raw))).toThrow(expect.objectContaining({ offset }));
  });
});
