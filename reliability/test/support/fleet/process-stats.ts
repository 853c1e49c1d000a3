import { createStats, type SweeperStats } from '@cachesweeper/core';
import type { ServerStatus } from '@cachesweeper/memcached';
import type { QueryFigures } from '../../../../examples/blog/src/db/query-meter';

/** Where the blog serves its figures when BLOG_STATS_ENDPOINT is on. */
export const STATS_PATH = '/_cachesweeper/stats';

/** A blog process's `GET /_cachesweeper/stats`: its figures since it started. */
export interface ProcessStats {
  readonly pid: number;
  readonly backend: string;
  readonly namespace: string;
  /** The sweeper's round deadline (a block's deadline), ms. */
  readonly timeoutMs: number;
  /** How long a page waits for another process's rendering (`null`: no leases). */
  readonly leaseWaitMs: number | null;
  readonly sweeper: SweeperStats;
  readonly queries: QueryFigures;
  readonly servers: readonly ServerStatus[] | null;
}

/** The counters a fleet's figures add up: the sweeper's and the statements'. */
export interface FleetCounters extends SweeperStats, QueryFigures {}

/** The counters of one process's stats. */
export function countersOf(stats: ProcessStats): FleetCounters {
  return { ...stats.sweeper, ...stats.queries };
}

/** `after - before`, counter by counter. */
export function countersSince(before: FleetCounters, after: FleetCounters): FleetCounters {
  const delta = { ...after };
  for (const name of Object.keys(delta) as (keyof FleetCounters)[]) delta[name] -= before[name];
  return delta;
}

/** The sum of several processes' counters. */
export function addCounters(all: readonly FleetCounters[]): FleetCounters {
  const total: FleetCounters = { ...createStats(), sql: 0, loader: 0, loaderCalls: 0 };
  for (const counters of all) {
    for (const name of Object.keys(total) as (keyof FleetCounters)[]) total[name] += counters[name];
  }
  return total;
}

/** Blocks served from the cache among all block lookups (hits, misses and uncached), 0–1; NaN with none. */
export function blockHitRatio(counters: FleetCounters): number {
  return counters.hits / (counters.hits + counters.misses + counters.uncached);
}

/**
 * Hits among the block lookups the cache answered (hits and misses), 0–1; NaN with none.
 * Blocks rendered uncached because their server was out of use are left out: this is
 * the ratio flushes and lost counters bring down.
 */
export function answeredHitRatio(counters: FleetCounters): number {
  return counters.hits / (counters.hits + counters.misses);
}
