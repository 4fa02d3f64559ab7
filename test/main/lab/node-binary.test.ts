import { describe, expect, it } from 'vitest';
import { nodeBinary } from '../../../src/main/lab/lab-host.js';

describe('nodeBinary', () => {
  it('uses this process when it is Node', () => {
    expect(nodeBinary({ PATH: '/nowhere' }, { ...process.versions, electron: undefined } as unknown as NodeJS.ProcessVersions, '/opt/node/bin/node')).toBe('/opt/node/bin/node');
  });

  it('looks node up on PATH inside Electron, whose executable is not Node', () => {
    const electron = { ...process.versions, electron: '45.0.0' } as NodeJS.ProcessVersions;
    const dir = process.execPath.slice(0, process.execPath.lastIndexOf('/'));
    expect(nodeBinary({ PATH: dir }, electron, '/opt/Netns Designer/netns-designer')).toBe(`${dir}/node`);
    expect(nodeBinary({ PATH: '/nowhere' }, electron, '/opt/Netns Designer/netns-designer')).not.toBe('/opt/Netns Designer/netns-designer');
  });
});
