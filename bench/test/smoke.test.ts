import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMeasurement } from '../src/build';
import { type RunOutput, runBench } from '../src/run';
import { SMOKE_SCALE } from '../src/scale';

// The whole suite at a tiny scale, to prove the harness and every scenario run and
// report. Nothing here is about time: the machine is shared and noisy.
describe('pnpm bench at smoke scale', () => {
  let outDir: string;
  let output: RunOutput;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'cachesweeper-bench-smoke-'));
    const built = await buildMeasurement();
    output = await runBench({
      scale: SMOKE_SCALE,
      outDir,
      server: { command: process.execPath, args: [built.server] },
      runtime: 'vitest smoke test',
      log: () => {},
    });
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('writes RESULTS.md with every section', () => {
    const markdown = readFileSync(output.markdownPath, 'utf8');
    for (const heading of ['## Targets of issue 8', '## 1.', '## 2.', '## 3.', '## 4.', '## 5.', '## 6.']) {
      expect(markdown).toContain(heading);
    }
  });

  it('writes an SVG chart with one line per page state', () => {
    const svg = readFileSync(output.svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(9);
  });

  it('measures every page state with as many samples as the others', () => {
    const counts = output.results.pages.flatMap((page) => page.measured.map((measured) => measured.times.length));
    expect(new Set(counts).size).toBe(1);
  });

  it('serves every cached page state byte-identical to the uncached page on the same data, at every N', () => {
    const census = output.results.pages.flatMap((page) => page.census);
    expect(census.filter((row) => !row.identical).map((row) => row.id)).toEqual([]);
  });

  it('counts 1 cache round trip for a full hit, 2 reads plus 1 write round after a vote and cold', () => {
    const census = output.results.pages.flatMap((page) => page.census);
    const trips = (kind: string) =>
      census.filter((row) => row.id.endsWith(`.${kind}`)).map((row) => `${row.reads} + ${row.writeRounds}`);
    expect(new Set(trips('full'))).toEqual(new Set(['1 + 0']));
    expect(new Set(trips('vote'))).toEqual(new Set(['2 + 1']));
    expect(new Set(trips('cold'))).toEqual(new Set(['2 + 1']));
  });

  it('sees no backend call while a save transaction is open', () => {
    expect(output.results.saves.census.map((row) => row.callsInTransaction)).toEqual(
      output.results.saves.census.map(() => 0),
    );
  });

  it('assembles a floor page byte-identical to the real full-hit page', () => {
    expect(output.results.floor.map((entry) => entry.identical)).toEqual(output.results.floor.map(() => true));
  });

  it('gets only 2xx answers from every app under load', () => {
    expect(output.results.http.figures.map((figure) => figure.failures)).toEqual([0, 0, 0]);
  });

  it('sees no cache failure in any page run', () => {
    expect(output.results.pages.map((page) => page.cacheErrors)).toEqual(output.results.pages.map(() => 0));
  });
});
