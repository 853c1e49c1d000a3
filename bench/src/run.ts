import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMemcached, startRedis } from '@cachesweeper/test-support';
import { preparePostgres } from './databases';
import { benchWithin } from './fixtures';
import { describeMachine } from './machine';
import { renderMarkdown } from './report/markdown';
import { renderPageTimeSvg } from './report/svg';
import type { BenchResults } from './results';
import type { BenchScale } from './scale';
import { measureBreakEven } from './scenarios/break-even';
import { measureFloor } from './scenarios/floor';
import { measureHttp, type ServerCommand } from './scenarios/http';
import { measureKeyCopies } from './scenarios/key-copies';
import { measurePageStates } from './scenarios/page-states';
import { measureSaves } from './scenarios/saves';

/** Where and how a run goes. */
export interface RunOptions {
  readonly scale: BenchScale;
  /** Directory RESULTS.md and page-time.svg are written to. */
  readonly outDir: string;
  /** How to start the HTTP server process. */
  readonly server: ServerCommand;
  /** Describes how the measured code runs, for RESULTS.md. */
  readonly runtime: string;
  /** Also write the raw results here as JSON (re-rendered by `pnpm bench --report`). */
  readonly resultsPath?: string;
  /** Progress lines. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** The files a run wrote. */
export interface RunOutput {
  readonly results: BenchResults;
  readonly markdown: string;
  readonly markdownPath: string;
  readonly svgPath: string;
}

/** Writes RESULTS.md and page-time.svg for `results` into `outDir`. */
export function writeReports(results: BenchResults, outDir: string): RunOutput {
  const markdown = renderMarkdown(results);
  const markdownPath = join(outDir, 'RESULTS.md');
  const svgPath = join(outDir, 'page-time.svg');
  writeFileSync(markdownPath, `${markdown}\n`);
  writeFileSync(svgPath, renderPageTimeSvg(results));
  return { results, markdown, markdownPath, svgPath };
}

/**
 * Runs every scenario (page states and floor at each N on SQLite and PostgreSQL,
 * saves, HTTP, break-even) against one real memcached server and one real Redis
 * server on free loopback ports, then writes RESULTS.md and page-time.svg. Fails at once, naming the
 * server, when PostgreSQL cannot be reached.
 */
export async function runBench(options: RunOptions): Promise<RunOutput> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { scale } = options;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const machine = await describeMachine(await preparePostgres());
  const dir = mkdtempSync(join(tmpdir(), 'cachesweeper-bench-'));
  const memcached = await startMemcached({ memoryMb: 256, threads: 2 });
  const redis = await startRedis().catch(async (error: unknown) => {
    await memcached.stop();
    throw error;
  });
  const servers = { memcached: memcached.address, redis: redis.url };
  // A second server, for the key copies (the first holds every other scenario's keys).
  const second = await startMemcached({ memoryMb: 64, threads: 2 }).catch(async (error: unknown) => {
    await Promise.all([memcached.stop(), redis.stop()]);
    throw error;
  });
  try {
    const pages = [];
    const floor = [];
    for (const n of scale.sizes) {
      log(`[${elapsed()}] page states, N = ${n}`);
      pages.push(await measurePageStates(scale, n, dir, servers));
      log(`[${elapsed()}] floor, N = ${n}`);
      floor.push(await measureFloor(scale, n, dir, memcached.address));
    }
    log(`[${elapsed()}] saves`);
    const saves = await measureSaves(scale, dir, memcached.address, scale.http.n);
    log(`[${elapsed()}] key copies`);
    const keyCopies = await measureKeyCopies(scale, dir, [memcached.address, second.address]);
    log(`[${elapsed()}] HTTP`);
    const http = await measureHttp(scale, dir, memcached.address, options.server);
    log(`[${elapsed()}] HTTP, N = ${scale.http.largeN}`);
    const httpLarge = await measureHttp(scale, dir, memcached.address, options.server, scale.http.largeN, [
      'uncached-batched',
      'memory',
      'memcached',
    ]);
    log(`[${elapsed()}] break-even`);
    const breakEven = await measureBreakEven(scale, memcached.address);
    const results: BenchResults = {
      machine,
      scale: scale.name,
      runtime: options.runtime,
      durationSeconds: (Date.now() - started) / 1000,
      loadAtEnd: loadavg()[0] ?? 0,
      within: benchWithin(),
      pages,
      floor,
      saves,
      http,
      httpLarge,
      breakEven,
      keyCopies,
    };
    if (options.resultsPath !== undefined) writeFileSync(options.resultsPath, JSON.stringify(results));
    const output = writeReports(results, options.outDir);
    log(`[${elapsed()}] wrote ${output.markdownPath} and ${output.svgPath}`);
    return output;
  } finally {
    await Promise.all([memcached.stop(), second.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
