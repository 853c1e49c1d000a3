import type { Sweeper } from '@cachesweeper/core';
import type { ServerStatus } from '@cachesweeper/memcached';
import { Router } from 'express';
import type { QueryMeter } from '../db/query-meter';

/** What the stats endpoint reports on. */
export interface CacheStatsSource {
  readonly sweeper: Sweeper;
  /** How the backend describes itself, e.g. `memcached a=127.0.0.1:11211`. */
  readonly backendName: string;
  readonly meter: QueryMeter;
  /** The memcached servers' states, when the backend is memcached. */
  readonly servers?: () => readonly ServerStatus[];
}

/** The path of the stats endpoint. */
export const CACHE_STATS_PATH = '/_cachesweeper/stats';

/**
 * `GET /_cachesweeper/stats`: this process's figures as JSON (sweeper counters since
 * start, SQL statements, the memcached servers' states), so that a fleet's tests or a
 * dashboard can read each process apart. It shows counts and server addresses, no
 * data; the blog mounts it only when `BLOG_STATS_ENDPOINT` is on.
 */
export function cacheStatsRoutes(source: CacheStatsSource): Router {
  const router = Router();
  router.get(CACHE_STATS_PATH, (_request, response) => {
    response.set('cache-control', 'no-store');
    response.json({
      pid: process.pid,
      backend: source.backendName,
      namespace: source.sweeper.namespace,
      timeoutMs: source.sweeper.timeoutMs,
      leaseWaitMs: source.sweeper.leases?.waitMs ?? null,
      sweeper: source.sweeper.stats(),
      queries: source.meter.figures(),
      servers: source.servers?.() ?? null,
    });
  });
  return router;
}
