import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, sourceFiles } from '../src/import-graph';

const ROOT = new URL('../../..', import.meta.url).pathname;
const PACKAGES = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(ROOT, 'packages', entry.name, 'src'))
  .filter((directory) => {
    try {
      return readdirSync(directory).length > 0;
    } catch {
      return false;
    }
  });
const MAX_LINES = 300;

describe('package sources', () => {
  it.each(PACKAGES.map((directory) => [relative(ROOT, directory), directory]))(
    '%s has no import cycle, type-only imports included',
    (_name, directory) => {
      expect(importCycles(importGraph(sourceFiles(directory)), ROOT)).toEqual([]);
    },
  );

  it.each(PACKAGES.map((directory) => [relative(ROOT, directory), directory]))(
    `%s has no file over ${MAX_LINES} lines`,
    (_name, directory) => {
      const long = sourceFiles(directory)
        .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
        .filter(({ lines }) => lines > MAX_LINES);
      expect(long).toEqual([]);
    },
  );
});

describe('the cycle finder', () => {
  it('finds a cycle through a type-only import, and none in a chain', () => {
    const graph = new Map([
      ['/r/a.ts', ['/r/b.ts']],
      ['/r/b.ts', ['/r/c.ts']],
      ['/r/c.ts', ['/r/a.ts']],
      ['/r/d.ts', ['/r/a.ts']],
    ]);
    expect(importCycles(graph, '/r')).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(
      importCycles(
        new Map([
          ['/r/a.ts', ['/r/b.ts']],
          ['/r/b.ts', []],
        ]),
        '/r',
      ),
    ).toEqual([]);
  });
});
