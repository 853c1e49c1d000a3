import type { Profiler } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import {
  callTreeLines,
  frameName,
  sourceFiles,
  topSelf,
  topSelfFiles,
  windowProfile,
} from '../src/profile/window-profile';

const frame = (functionName: string, line: number): Profiler.ProfileNode['callFrame'] => ({
  functionName,
  scriptId: '1',
  url: 'file:///build/page.mjs',
  lineNumber: line - 1,
  columnNumber: 0,
});

// (root) → render → lookup; (root) → render → sql; (root) → idle. Samples at 10, 20, …, 60 µs.
const PROFILE: Profiler.Profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', 1), children: [2, 5] },
    { id: 2, callFrame: frame('render', 10), children: [3, 4] },
    { id: 3, callFrame: frame('lookup', 20) },
    { id: 4, callFrame: frame('sql', 30) },
    { id: 5, callFrame: frame('(idle)', 1) },
  ],
  startTime: 0,
  endTime: 60,
  samples: [3, 3, 4, 5, 3, 5],
  timeDeltas: [10, 10, 10, 10, 10, 10],
};

describe('windowProfile', () => {
  it('keeps only the samples taken inside the windows, ends included', () => {
    const windowed = windowProfile(PROFILE, [
      [10, 20],
      [50, 55],
    ]);
    // 10 and 20 (lookup, lookup) and 50 (lookup); 30, 40 and 60 fall outside.
    expect(windowed.samples).toBe(3);
    expect([...windowed.self]).toEqual([['lookup page.mjs:20', 3]]);
  });

  it('builds the top-down tree of the samples kept', () => {
    const windowed = windowProfile(PROFILE, [[0, 100]]);
    const root = windowed.tree.children.get('(root) page.mjs:1');
    expect(windowed.samples).toBe(6);
    expect(root?.samples).toBe(6);
    const render = root?.children.get('render page.mjs:10');
    expect(render?.samples).toBe(4);
    expect(render?.children.get('lookup page.mjs:20')?.samples).toBe(3);
    expect(render?.children.get('sql page.mjs:30')?.samples).toBe(1);
    expect(root?.children.get('(idle) page.mjs:1')?.samples).toBe(2);
  });

  it('keeps nothing when no window holds a sample', () => {
    const windowed = windowProfile(PROFILE, [[61, 70]]);
    expect(windowed.samples).toBe(0);
    expect(callTreeLines(windowed, 0.01)).toEqual([]);
  });
});

describe('topSelf and callTreeLines', () => {
  const windowed = windowProfile(PROFILE, [[0, 100]]);

  it('lists the functions that ran most themselves, with their share', () => {
    expect(topSelf(windowed, 2)).toEqual([' 50.0% lookup page.mjs:20', ' 33.3% (idle) page.mjs:1']);
  });

  it('indents the tree, leaves out frames under the threshold, and joins one-child chains', () => {
    expect(callTreeLines(windowed, 0.2)).toEqual([
      '100.0% (all)',
      '  100.0% (root) page.mjs:1',
      '     66.7% render page.mjs:10',
      '       50.0% lookup page.mjs:20',
      '     33.3% (idle) page.mjs:1',
    ]);
    const onlyLookups = windowProfile(PROFILE, [[10, 20]]);
    expect(callTreeLines(onlyLookups, 0.01)).toEqual([
      '100.0% (all)',
      '  100.0% (root) page.mjs:1 > render page.mjs:10 > lookup page.mjs:20',
    ]);
  });

  it('names a frame by function, script file and 1-based line; an anonymous one as such', () => {
    expect(frameName({ ...frame('', 7), url: 'node:internal/streams/writable' })).toBe('(anonymous) writable:7');
  });
});

describe('sourceFiles and topSelfFiles', () => {
  // Lines 1–14 of the bundle are its prelude, 15–24 core's keys.ts, 25 on the blog's app.ts.
  const bundle = [
    ...Array.from({ length: 14 }, () => 'prelude'),
    '// ../packages/core/src/keys.ts',
    ...Array.from({ length: 9 }, () => 'code'),
    '// ../examples/blog/src/app.ts',
    'code',
  ].join('\n');
  const fileOf = sourceFiles('page.mjs', bundle);

  it('maps a line of the bundle to the file its esbuild comment opened, and any other frame to its script', () => {
    expect(fileOf('lookup page.mjs:20')).toBe('../packages/core/src/keys.ts');
    expect(fileOf('render page.mjs:10')).toBe('page.mjs');
    expect(fileOf('route page.mjs:26')).toBe('../examples/blog/src/app.ts');
    expect(fileOf('findAll model.js:1090')).toBe('model.js');
    expect(fileOf('(idle) :0')).toBe('(idle) :0');
  });

  it('sums the functions of each file that ran themselves', () => {
    const windowed = windowProfile(PROFILE, [[0, 100]]);
    // lookup (line 20) ran in 3 samples, (idle) (line 1, the prelude) in 2, sql (line 30) in 1.
    expect(topSelfFiles(windowed, fileOf, 5)).toEqual([
      ' 50.0% ../packages/core/src/keys.ts',
      ' 33.3% page.mjs',
      ' 16.7% ../examples/blog/src/app.ts',
    ]);
  });
});
