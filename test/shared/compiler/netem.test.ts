import { describe, expect, it } from 'vitest';
import { withNetemField, endNetem, linkNetemLabel, netemArgs, netemDifferences, netemFromTc, netemIsEmpty, netemLabel, parseNetemArgs } from '../../../src/shared/compiler/netem.js';

const link = (netem?: object, a?: object, b?: object) => ({ netem, a: { node: 'red', addresses: [], ...(a ? { netem: a } : {}) }, b: { node: 'blue', addresses: [], ...(b ? { netem: b } : {}) } });

describe('netem', () => {
  it('writes only the figures that are set, in the order tc prints them, rate in whole kbit/s', () => {
    expect(netemArgs({ delayMs: 50 })).toEqual(['delay', '50ms']);
    expect(netemArgs({ rateMbit: 1.5, corruptPercent: 0.1, duplicatePercent: 2, lossPercent: 1.5, jitterMs: 10, delayMs: 50 })).toEqual(['delay', '50ms', '10ms', 'loss', '1.5%', 'duplicate', '2%', 'corrupt', '0.1%', 'rate', '1500kbit']);
    expect(netemArgs({ delayMs: 0, lossPercent: 0, rateMbit: 10 })).toEqual(['rate', '10000kbit']);
    expect(netemArgs({ delayMs: 0.25 })).toEqual(['delay', '0.25ms']);
  });

  it('reads back what it wrote', () => {
    for (const n of [{ delayMs: 50 }, { delayMs: 50, jitterMs: 10, lossPercent: 1.5, duplicatePercent: 2, corruptPercent: 0.1, rateMbit: 1.5 }, { lossPercent: 100 }, { rateMbit: 0.008 }]) {
      expect(parseNetemArgs(netemArgs(n))).toEqual(n);
    }
  });

  it("takes an end's own netem over the link's, and none when nothing is above zero", () => {
    expect(endNetem(link({ delayMs: 50 }), 'a')).toEqual({ delayMs: 50 });
    expect(endNetem(link({ delayMs: 50 }, undefined, { lossPercent: 5 }), 'b')).toEqual({ lossPercent: 5 });
    expect(endNetem(link({ delayMs: 50 }, {}), 'a')).toBeUndefined();
    expect(endNetem(link({ delayMs: 0, lossPercent: 0 }), 'a')).toBeUndefined();
    expect(netemIsEmpty({})).toBe(true);
    expect(netemIsEmpty({ corruptPercent: 0.1 })).toBe(false);
  });

  it('labels a link for the canvas, both ways when its ends differ', () => {
    expect(netemLabel({ delayMs: 50, lossPercent: 1 })).toBe('50 ms, 1 %');
    expect(netemLabel({ delayMs: 50, jitterMs: 5, rateMbit: 10, duplicatePercent: 1, corruptPercent: 0.5 })).toBe('50±5 ms, 10 Mbit/s, dup 1 %, corrupt 0.5 %');
    expect(linkNetemLabel(link({ delayMs: 50, lossPercent: 1 }))).toBe('50 ms, 1 %');
    expect(linkNetemLabel(link(undefined, { delayMs: 50 }, { delayMs: 10 }))).toBe('→ 50 ms / ← 10 ms');
    expect(linkNetemLabel(link(undefined, undefined, { lossPercent: 3 }))).toBe('← 3 %');
    expect(linkNetemLabel(link())).toBe('');
  });

  // What tc -j qdisc show printed for "netem delay 50ms 10ms loss 1.5% duplicate 2% corrupt 0.1% rate 1500kbit" (iproute2 6.1, kernel 6.1).
  const TC = { limit: 1000, delay: { delay: 0.05, jitter: 0.01, correlation: 0 }, 'loss-random': { loss: 0.015, correlation: 0 }, duplicate: { duplicate: 0.02, correlation: 0 }, corrupt: { corrupt: 0.001, correlation: 0 }, rate: { rate: 187500, packetoverhead: 0, cellsize: 0, celloverhead: 0 }, ecn: false, gap: 0 };

  it("reads tc's JSON into the drawing's units and names what differs", () => {
    const want = { delayMs: 50, jitterMs: 10, lossPercent: 1.5, duplicatePercent: 2, corruptPercent: 0.1, rateMbit: 1.5 };
    expect(netemFromTc(TC)).toEqual(want);
    expect(netemDifferences(want, netemFromTc(TC))).toEqual([]);
    expect(netemDifferences({ delayMs: 100 }, netemFromTc({ delay: { delay: 0.05, jitter: 0 } }))).toEqual(['delay is 50 ms instead of 100 ms']);
    expect(netemDifferences({ delayMs: 50 }, netemFromTc(TC))).toEqual(['jitter is 10 ms instead of 0 ms', 'loss is 1.5 % instead of 0 %', 'duplication is 2 % instead of 0 %', 'corruption is 0.1 % instead of 0 %', 'rate is 1.5 Mbit/s instead of 0 Mbit/s']);
    // tc keeps percentages in steps of 1/2^32: 33.3 % comes back as 33.29999...
    expect(netemDifferences({ lossPercent: 33.3 }, { lossPercent: 33.29999997 })).toEqual([]);
  });

  it('sets or clears one figure for the panel, and drops the netem when none is left', () => {
    expect(withNetemField(undefined, 'delayMs', 50)).toEqual({ delayMs: 50 });
    expect(withNetemField({ delayMs: 50 }, 'lossPercent', 1)).toEqual({ delayMs: 50, lossPercent: 1 });
    expect(withNetemField({ delayMs: 50, lossPercent: 1 }, 'delayMs', undefined)).toEqual({ lossPercent: 1 });
    expect(withNetemField({ delayMs: 50 }, 'delayMs', undefined)).toBeUndefined();
  });
});
