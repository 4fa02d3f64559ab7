/** The middle value of a list of measurements (the upper middle of an even count); the bench's one median. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
