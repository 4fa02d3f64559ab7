/**
 * Stable ordering by small whole-number keys, counted (a counting sort): up's steps by phase and
 * verify's probes by their first namespace are ordered this way, without the comparisons and the
 * work copy a sort makes of the hundreds of thousands of them in a large lab.
 */

/** The indexes of `keys` ordered by their key (each 0 to buckets - 1), equal keys in index order. */
export function orderByKey(keys: readonly number[], buckets: number): number[] {
  // Where each key's run starts in the order, then each index in its place.
  const start = new Array<number>(buckets + 1).fill(0);
  for (let i = 0; i < keys.length; i++) start[keys[i]! + 1]!++;
  for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
  const order = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) order[start[keys[i]!]!++] = i;
  return order;
}
