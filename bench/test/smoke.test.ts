import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMeasurement } from '../src/build';
import { DATABASES, schemasOfThisProcess } from '../src/databases';
import { type RunOutput, runBench } from '../src/run';
import { SMOKE_SCALE } from '../src/scale';
import { PAGE_STATES, variantName } from '../src/scenarios/page-states';

// The whole suite at a tiny scale, to prove the harness and every scenario run and
// report, on SQLite and on the PostgreSQL server at 127.0.0.1:5432 (a run that cannot
// reach it fails). Nothing here is about time: the machine is shared and noisy.
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
    const headings = ['## Targets of issue 16', '## Targets of issue 8', '## 1.', '## 2.', '## 3.', '## 4.', '## 5.'];
    for (const heading of [...headings, '## 6.', '## 7.', '## 8. Key copies on two memcached servers']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('Same HTML with and without copies: yes.');
    expect(output.results.keyCopies?.measured.every((each) => each.times.length > 0)).toBe(true);
  });

  it('writes an SVG chart with one line per page state on each database', () => {
    const svg = readFileSync(output.svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(PAGE_STATES.length * DATABASES.length);
  });

  it('measures every page state on SQLite and on PostgreSQL, with as many samples as the others', () => {
    const expected = DATABASES.flatMap((database) => PAGE_STATES.map((state) => variantName(database, state.id)));
    for (const page of output.results.pages) {
      expect(page.measured.map((measured) => measured.name).sort()).toEqual([...expected].sort());
      expect(page.census.map((row) => variantName(row.database, row.id)).sort()).toEqual([...expected].sort());
    }
    const counts = output.results.pages.flatMap((page) => page.measured.map((measured) => measured.times.length));
    expect(new Set(counts).size).toBe(1);
  });

  it('counts 2N + 2 queries for the naive page and 4 for the batched one, no more for a cached page, on both databases', () => {
    for (const page of output.results.pages) {
      const queries = (id: string) => page.census.filter((row) => row.id === id).map((row) => row.queries);
      expect(queries('uncached')).toEqual(DATABASES.map(() => 2 * page.n + 2));
      expect(queries('uncached-batched')).toEqual(DATABASES.map(() => 4));
      const cached = page.census.filter((row) => /^(memory|memcached|redis)\./.test(row.id));
      expect(cached.filter((row) => row.queries > 4 || row.sequentialQueries > row.queries)).toEqual([]);
    }
  });

  it('counts the keys each cached page read, at least one per read round', () => {
    const census = output.results.pages.flatMap((page) => page.census);
    const cached = census.filter((row) => /^(memory|memcached|redis)\./.test(row.id));
    expect(cached.filter((row) => row.keysRead < row.reads)).toEqual([]);
  });

  it('drops every PostgreSQL schema it created', async () => {
    expect(await schemasOfThisProcess()).toEqual([]);
  });

  it('reports the PostgreSQL server it measured on, and marks every target of issue 16 met or not met', () => {
    const markdown = readFileSync(output.markdownPath, 'utf8');
    expect(output.results.machine.postgres).toMatch(/^\d+/);
    expect(markdown).toContain(`| PostgreSQL | ${output.results.machine.postgres} over TCP`);
    const section = markdown.slice(
      markdown.indexOf('## Targets of issue 16'),
      markdown.indexOf('## Targets of issue 8'),
    );
    for (const target of [
      'SQLite: full hit, memcached ≥ 8×',
      'PostgreSQL: full hit, memcached ≥ 15×',
      'at N = 3 ≤ 1.5×',
    ]) {
      expect(section).toContain(target);
    }
    expect(section.match(/\*\*(met|not met)\*\* \|$/gm)?.length).toBeGreaterThanOrEqual(20);
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

  it('assembles a floor page byte-identical to the real full-hit page, on both databases', () => {
    expect(output.results.floor.map((entry) => entry.identical)).toEqual(output.results.floor.map(() => true));
  });

  it('gets only 2xx answers from every app under load', () => {
    expect(output.results.http.figures.map((figure) => figure.name)).toEqual([
      'uncached',
      'uncached-batched',
      'memory',
      'memcached',
    ]);
    expect(output.results.http.figures.map((figure) => figure.failures)).toEqual([0, 0, 0, 0]);
  });

  it('sees no cache failure in any page run', () => {
    expect(output.results.pages.map((page) => page.cacheErrors)).toEqual(output.results.pages.map(() => 0));
  });
});
