import { describe, expect, it } from 'vitest';
import { compile } from '../../src/shared/compiler/index.js';
import { stepsText } from '../../src/renderer/panels/ScriptPanel.js';
import { loadExample } from '../support/examples.js';

describe('script panel', () => {
  it('shows each step with its commands and the ownership tag that runs after them', () => {
    const c = compile(loadExample('02-bridge'));
    if (!c.ok) throw new Error('02-bridge does not compile');
    const text = stepsText(c.up).split('\n');
    const at = text.indexOf('# namespace red');
    expect(text.slice(at, at + 3)).toEqual(['# namespace red', 'ip netns add red', 'ip -n red link set lo alias nsd:bridge']);
    expect(stepsText(c.down).split('\n').slice(0, 4)).toEqual(['# check root and tools, lock the lab, read its record', 'nsd_preflight down', "# stop the lab's services (each its process group)", 'nsd_undo service']);
  });
});
