import { describe } from 'vitest';
import { table } from './cases.js';

describe('netem', () => {
  describe('checks link impairments', () => {
    table([
      { name: 'nothing for a full, valid netem on a link and an own one on an end', patch: { 'links[1].netem': { delayMs: 50, jitterMs: 5, lossPercent: 1, rateMbit: 1.5, duplicatePercent: 0.5, corruptPercent: 0.1 }, 'links[1].b.netem': { delayMs: 10 } }, problems: [] },
      { name: 'nothing for an empty netem', patch: { 'links[2].netem': {} }, problems: [] },
      { name: 'a negative delay', patch: { 'links[1].netem': { delayMs: -1 } }, problems: [['error', 'red-vnet0', 'links[1].netem.delayMs', 'delayMs -1 is too small; the smallest allowed is 0']] },
      { name: 'a delay over a minute', patch: { 'links[1].netem': { delayMs: 60001 } }, problems: [['error', 'red-vnet0', 'links[1].netem.delayMs', 'the largest allowed is 60000']] },
      { name: 'loss over 100 %', patch: { 'links[1].netem': { lossPercent: 101 } }, problems: [['error', 'red-vnet0', 'links[1].netem.lossPercent', 'the largest allowed is 100']] },
      { name: 'duplication below 0 on an end', patch: { 'links[1].a.netem': { duplicatePercent: -2 } }, problems: [['error', 'red-vnet0', 'links[1].a.netem.duplicatePercent', 'the smallest allowed is 0']] },
      { name: 'corruption given as text', patch: { 'links[1].netem': { corruptPercent: '5' } }, problems: [['error', 'red-vnet0', 'links[1].netem.corruptPercent', 'must be a number']] },
      { name: 'a rate of 0', patch: { 'links[1].netem': { rateMbit: 0 } }, problems: [['error', 'red-vnet0', 'links[1].netem.rateMbit', 'rateMbit 0 is too small']] },
      { name: 'an unknown figure', patch: { 'links[1].netem': { delay: 50 } }, problems: [['error', 'red-vnet0', 'links[1].netem.delay', 'unknown field "delay"']] },
      { name: 'jitter without delay', patch: { 'links[1].netem': { jitterMs: 10 } }, problems: [['error', 'red-vnet0', 'links[1].netem.jitterMs', 'set delayMs (at least 10), or remove jitterMs']] },
      { name: 'jitter above the delay (a warning: packets reorder)', patch: { 'links[1].b.netem': { delayMs: 5, jitterMs: 10 } }, problems: [['warning', 'red-vnet0', 'links[1].b.netem.jitterMs', 'lower jitterMs to at most 5']] },
      { name: 'a rate that is not whole kbit/s', patch: { 'links[1].netem': { rateMbit: 1.0005 } }, problems: [['error', 'red-vnet0', 'links[1].netem.rateMbit', 'round it to 3 decimals']] },
      { name: 'a rate below 8 kbit/s', patch: { 'links[1].netem': { rateMbit: 0.001 } }, problems: [['error', 'red-vnet0', 'links[1].netem.rateMbit', 'use at least 0.008']] },
      { name: 'netem on the Internet link', patch: { 'links[0].netem': { delayMs: 10 } }, problems: [['error', 'uplink', 'links[0].netem', 'remove netem here']] },
    ]);
  });
});
