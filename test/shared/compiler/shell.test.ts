import { describe, expect, it } from 'vitest';
import { isPlainJoin, isPlainWord, shellJoin, shellQuote } from '../../../src/shared/compiler/shell.js';

describe('shell quoting', () => {
  it('leaves safe words plain and single-quotes the rest', () => {
    expect(shellQuote('veth-red0')).toBe('veth-red0');
    expect(shellQuote('10.0.0.1/24')).toBe('10.0.0.1/24');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("the host's uplink")).toBe("'the host'\\''s uplink'");
    expect(shellJoin(['ip', '-n', 'red', 'a b'])).toBe("ip -n red 'a b'");
  });

  it('tells joined words apart when all are plain, as isPlainWord of each would', () => {
    const cases: string[][] = [
      ['ip', 'link', 'set', 'lo', 'up'],
      ['ip', 'a b'],
      ['ip', ''],
      ['', 'ip'],
      ['ip', '', 'x'],
      ['ip'],
      [''],
      ['ip', 'x;y'],
      ['ip', 'caf\u00e9'],
      ['ip', 'tab\there'],
      ['ip', ' lead'],
      ['ip', 'trail '],
      ['ip', 'nsd:bench', '10.0.0.1/24', 'a@b%c+d=e,f.g'],
    ];
    for (const words of cases) expect(isPlainJoin(words.join(' '), words.length), JSON.stringify(words)).toBe(words.every(isPlainWord));
  });
});
