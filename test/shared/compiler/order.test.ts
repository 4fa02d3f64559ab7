import { describe, expect, it } from 'vitest';
import { orderByKey } from '../../../src/shared/compiler/order.js';

describe('orderByKey', () => {
  it('orders indexes as a stable sort by key does, equal keys in index order', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (const [length, buckets] of [[0, 1], [1, 1], [50, 3], [1000, 17]] as const) {
      const keys = Array.from({ length }, () => next() % buckets);
      const sorted = keys.map((_, i) => i).sort((x, y) => keys[x]! - keys[y]! || x - y);
      expect(orderByKey(keys, buckets)).toEqual(sorted);
    }
    expect(orderByKey([2, 0, 2, 1, 0], 3)).toEqual([1, 4, 3, 0, 2]);
  });
});
