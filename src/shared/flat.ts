/**
 * flat`...`: a template literal made into one flat string. A plain template literal of several
 * parts makes a chain of string pieces (one per `+`), which V8 keeps until the text is read and
 * then copies into one flat string besides: for the titles, ids and paths a large lab keeps
 * (hundreds of thousands), that was a third of their memory and much of the garbage collector's
 * copying. Use it for text that is kept; for text used once, a plain template literal is fine.
 */
export function flat(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  const parts = new Array<string | number>(strings.length + values.length);
  parts[0] = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    parts[2 * i + 1] = values[i]!;
    parts[2 * i + 2] = strings[i + 1]!;
  }
  return parts.join('');
}
