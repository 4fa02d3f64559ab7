/** Shell quoting for everything the compiler writes into bash. */

/** Characters that never need quoting in bash: A-Z a-z 0-9 _ @ % + = : , . / - */
const SAFE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-') SAFE[c.charCodeAt(0)] = 1;

/** True when `word` is one or more characters that never need quoting (see shellQuote). */
export function isPlainWord(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 128 || SAFE[c] === 0) return false;
  }
  return true;
}

/**
 * True when `line` is `count` words joined by single spaces (join(' ')) that are all plain
 * (isPlainWord): one walk over the joined line instead of one call per word. A word with a space
 * shows as a space too many, an empty word as a space at an end or two in a row.
 */
export function isPlainJoin(line: string, count: number): boolean {
  let spaces = 0;
  let afterSpace = true;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      if (afterSpace) return false;
      spaces++;
      afterSpace = true;
    } else if (c >= 128 || SAFE[c] === 0) return false;
    else afterSpace = false;
  }
  return !afterSpace && spaces === count - 1;
}

/** Quotes one word for bash: plain when it only holds safe characters, single-quoted otherwise. */
export function shellQuote(word: string): string {
  if (isPlainWord(word)) return word;
  return word.includes("'") ? `'${word.replace(/'/g, `'\\''`)}'` : `'${word}'`;
}

/** Quotes every word of an argv list and joins them with spaces. */
export function shellJoin(argv: readonly string[]): string {
  // join() makes one flat string; adding word by word made a chain of pieces, which a large lab's
  // script keeps (30,000 probe lines) until its final join and the garbage collector copies.
  // Most lists need no quoting: joined once and checked in one walk, without a list of quoted words.
  const line = argv.join(' ');
  return isPlainJoin(line, argv.length) ? line : argv.map(shellQuote).join(' ');
}
