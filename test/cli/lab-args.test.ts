import { describe, expect, it } from 'vitest';
import { LabUsageError, parseLabArgs } from '../../src/cli/lab-args.js';

describe('lab-args', () => {
  it.each([
    [['up'], {}, { action: 'up', name: 'default', json: false }],
    [['up'], { name: 'demo', json: true }, { action: 'up', name: 'demo', json: true }],
    [['status'], { json: true }, { action: 'status', name: 'default', json: true }],
    [['down'], { name: 'x-1' }, { action: 'down', name: 'x-1', json: false }],
  ])('reads lab %j with %j', (positionals, options, expected) => {
    expect(parseLabArgs(positionals, options)).toEqual(expected);
  });

  it.each([
    [[], {}, /needs an action: up, down or status/],
    [['start'], {}, /unknown lab action "start"/],
    [['up', 'extra'], {}, /takes no arguments; unexpected "extra"/],
    [['up'], { name: '../etc' }, /--name: lab name "..\/etc"/],
    [['down'], { json: true }, /"lab down" does not take --json/],
  ])('refuses lab %j with %j', (positionals, options, message) => {
    expect(() => parseLabArgs(positionals, options)).toThrow(LabUsageError);
    expect(() => parseLabArgs(positionals, options)).toThrow(message);
  });
});
