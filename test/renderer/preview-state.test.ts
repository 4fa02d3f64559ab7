import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { answered, latestWins, previewOf, requested, stepsText, type LatestWins } from '../../src/renderer/state/preview.js';
import { loadExample } from '../support/examples.js';

describe('preview', () => {
  it('shows each step with its commands and the ownership tag that runs after them', () => {
    const c = compile(loadExample('02-bridge'));
    if (!c.ok) throw new Error('02-bridge does not compile');
    const text = stepsText(c.up).split('\n');
    const at = text.indexOf('# namespace red');
    expect(text.slice(at, at + 3)).toEqual(['# namespace red', 'ip netns add red', 'ip -n red link set lo alias nsd:bridge']);
    expect(stepsText(c.down).split('\n').slice(0, 4)).toEqual(['# check root and tools, lock the lab, read its record', 'nsd_preflight down', "# stop the lab's services (each its process group)", 'nsd_undo service']);
  });

  it('previews a drawing as the texts of its up and down steps, with its warnings', () => {
    const doc = loadExample('02-bridge');
    const c = compile(doc);
    if (!c.ok) throw new Error('02-bridge does not compile');
    expect(previewOf(doc)).toEqual({ ok: true, up: stepsText(c.up), down: stepsText(c.down), warnings: c.warnings });
  });

  it('previews a broken drawing as its problems', () => {
    const broken = { ...(loadExample('02-bridge') as Record<string, unknown>), links: [{ id: 'x', a: { node: 'nowhere' }, b: { node: 'red' } }] };
    const c = compile(broken);
    expect(c.ok).toBe(false);
    expect(previewOf(broken)).toEqual({ ok: false, problems: c.ok ? [] : c.problems });
  });

  it('sends a drawing at once when the worker is free, and shows its answer', () => {
    const sent = requested(latestWins<string>(), 'a');
    expect(sent.send).toEqual({ id: 1, doc: 'a' });
    const back = answered(sent.state, 1);
    expect(back.show).toBe(true);
    expect(back.send).toBeNull();
    expect(back.state.inFlight).toBeNull();
  });

  it('keeps only the newest drawing while the worker is busy and never shows an answer for an older one', () => {
    let state: LatestWins<string> = latestWins();
    const sends: (string | null)[] = [];
    for (const doc of ['a', 'b', 'c', 'd']) {
      const r = requested(state, doc);
      state = r.state;
      sends.push(r.send?.doc ?? null);
    }
    // a is being compiled; b and c were replaced by d before the worker was free.
    expect(sends).toEqual(['a', null, null, null]);
    const afterA = answered(state, 1);
    expect(afterA.show).toBe(false);
    expect(afterA.send).toEqual({ id: 4, doc: 'd' });
    const afterD = answered(afterA.state, 4);
    expect(afterD.show).toBe(true);
    expect(afterD.send).toBeNull();
  });

  it('drops an answer to a request it did not send last, and a late duplicate', () => {
    let state = requested(latestWins<string>(), 'a').state;
    state = requested(state, 'b').state;
    const first = answered(state, 1);
    expect(first.show).toBe(false);
    const again = answered(first.state, 1);
    expect(again).toEqual({ state: first.state, show: false, send: null });
  });
});
