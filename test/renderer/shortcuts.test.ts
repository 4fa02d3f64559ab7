import { describe, expect, it } from 'vitest';
import { shortcutFor } from '../../src/renderer/shortcuts.js';

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean; meta: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
  metaKey: mods.meta ?? false,
});

describe('shortcuts', () => {
  it.each([
    [key('z', { ctrl: true }), false, 'undo'],
    [key('Z', { ctrl: true, shift: true }), false, 'redo'],
    [key('y', { ctrl: true }), false, 'redo'],
    [key('z', { meta: true }), false, 'undo'],
    [key('s', { ctrl: true }), true, 'save'],
    [key('S', { ctrl: true, shift: true }), false, 'save-as'],
    [key('o', { ctrl: true }), false, 'open'],
    [key('e', { ctrl: true }), false, 'export-script'],
    [key('l', { ctrl: true }), false, 'layout'],
    [key('Enter', { ctrl: true }), false, 'deploy'],
    [key('c', { ctrl: true }), false, 'copy'],
    [key('v', { ctrl: true }), false, 'paste'],
    [key('a', { ctrl: true }), false, 'select-all'],
    [key('Delete'), false, 'delete'],
    [key('Backspace'), false, 'delete'],
    [key('l'), false, 'link-mode'],
    [key('g'), false, 'grid'],
    [key('f'), false, 'fit'],
    [key('+'), false, 'zoom-in'],
    [key('-'), false, 'zoom-out'],
    [key('?', { shift: true }), false, 'help'],
  ])('maps %o (typing: %s) to %s', (e, typing, command) => {
    expect(shortcutFor(e, typing)).toBe(command);
  });

  it.each([
    [key('z', { ctrl: true }), 'the text field undoes its own typing'],
    [key('c', { ctrl: true }), 'copy copies the text'],
    [key('Delete'), 'delete deletes characters'],
    [key('l'), 'l is a letter'],
  ])('leaves %o to a text field (%s)', (e) => {
    expect(shortcutFor(e, true)).toBeUndefined();
  });
});
