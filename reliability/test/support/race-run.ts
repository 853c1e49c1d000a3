import { type CacheBackend, type CacheSweeperError, createSweeper, memoryBackend } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { startMemcached } from '@cachesweeper/test-support';
import { ForeignKeyConstraintError } from 'sequelize';
import type { SeedSize } from '../../../examples/blog/src/db/seed';
import { tappedBackend, uncachedBackend } from './backends';
import { type BlogInstance, blogDatabase, startBlogInstance } from './blog-instances';
import { drawOperation, FailedRender, FULL_MIX, type OperationMix, type WorkloadContext } from './blog-workload';
import { checkPages, emptyPageCheck, type PageCheckFigures } from './page-check';
import { randomBelow, sleep } from './timing';
import { type EarlyInvalidation, type LedgerFigures, TransactionLedger } from './transaction-ledger';
import { WriteLock } from './write-lock';

/** Where the app instances cache: a factory of one backend per instance (shared or not), and its teardown. */
export interface CacheSetup {
  /** A backend for the next app instance. */
  backendFor(): CacheBackend;
  /** Stops what the setup started (servers); the instances close their backends. */
  stop(): Promise<void>;
}

/**
 * Two memcached servers, named a and b; each app instance has its own backend on them, as
 * separate processes would. Two, so that rows, fragments and the copies of each model's
 * generation (`KeyPlacement`) are spread over a ring, as in production.
 */
export async function twoMemcached(): Promise<CacheSetup> {
  const servers = await Promise.all([startMemcached(), startMemcached()]);
  const names = servers.map((server, index) => `${index === 0 ? 'a' : 'b'}=${server.address}`);
  return {
    backendFor: () => memcachedBackend({ servers: names }),
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

/** One in-process memory backend shared by the instances, small enough that counters get evicted. */
export function sharedMemory(maxEntries: number): CacheSetup {
  const shared = memoryBackend({ maxEntries });
  return { backendFor: () => shared, stop: () => Promise.resolve() };
}

/** Options of `runRace`. */
export interface RaceOptions {
  readonly cache: CacheSetup;
  /** Operations to run, unless `faults` is given. */
  readonly total: number;
  readonly workers: number;
  /** Operations between two checkpoints (quiescence + every page checked). */
  readonly checkEvery: number;
  readonly seed: SeedSize;
  /** What the workers draw from. Default: `FULL_MIX`. */
  readonly mix?: OperationMix;
  /** Random delays after queries and before backend calls. Default: true. */
  readonly delays?: boolean;
  /** The app instances' `WITHIN` switch (the reference renders uncached either way). Default: the blog's (on). */
  readonly within?: boolean;
  /** Changes an app instance before the run (the controls replace the invalidation rules with broken ones). */
  readonly tamper?: (instance: BlogInstance) => void;
  /**
   * A fault script run alongside the workload; the workload runs until it ends, then one
   * checkpoint. `checkpoint` pauses the workers, checks every page, and lets them go on.
   */
  readonly faults?: (checkpoint: () => Promise<void>) => Promise<void>;
  /** Told how long each render took, through the cache (with its page) or (reference) without it. */
  readonly onRender?: (ms: number, cached: boolean, html?: string) => void;
}

/** What a race run saw. */
export interface RaceOutcome {
  readonly operations: number;
  /** Operations run, by kind. */
  readonly kinds: Record<string, number>;
  readonly pages: PageCheckFigures;
  readonly checkpoints: number;
  readonly ledger: LedgerFigures;
  readonly early: readonly EarlyInvalidation[];
  readonly failedRenders: number;
  /** Writes that failed as SQLite says they must (a vote on a comment deleted meanwhile): rolled back. */
  readonly abortedWrites: number;
  readonly unexpectedErrors: readonly string[];
  readonly cacheErrors: number;
  /** Blocks the app instances kept from an outdated copy of the page around them (`stats.kept`). */
  readonly kept: number;
  readonly seconds: number;
}

const APP_INSTANCES = 2;

/**
 * Runs the blog under a workload: two app instances (as two processes would, each with
 * its own sweeper and Sequelize connection) on one SQLite file and one cache, `workers`
 * concurrent workers drawing operations, random delays after every query (Sequelize
 * `afterFind`) and before backend calls; every `checkEvery` operations the workers stop,
 * background writes land, and every page is compared with a fresh uncached render of
 * a reference instance (same database and views, no cache).
 */
export async function runRace(options: RaceOptions): Promise<RaceOutcome> {
  const database = blogDatabase();
  const ledger = new TransactionLedger(new WriteLock());
  const instances: BlogInstance[] = [];
  let reference: BlogInstance | undefined;
  let cacheErrors = 0;
  const started = performance.now();
  const delays = options.delays ?? true;
  try {
    const countCacheError = (_error: CacheSweeperError) => {
      cacheErrors += 1;
    };
    for (let index = 1; index <= APP_INSTANCES; index++) {
      const backend = tappedBackend(options.cache.backendFor(), {
        onCounterWrite: (operation, key) => ledger.counterWrite(operation, key),
        jitterMs: () => (delays && Math.random() < 0.2 ? randomBelow(3) : 0),
      });
      const sweeper = createSweeper({ backend, onError: countCacheError });
      const instance = await startBlogInstance({
        name: `app-${index}`,
        database,
        sweeper,
        seed: options.seed,
        within: options.within,
      });
      ledger.watch(instance.blog.sequelize);
      if (delays) delayAfterEveryQuery(instance);
      options.tamper?.(instance);
      instances.push(instance);
    }
    reference = await startBlogInstance({
      name: 'reference',
      database,
      sweeper: createSweeper({ backend: uncachedBackend() }),
    });

    const { Article, Comment } = instances[0]!.blog.models;
    const articleIds = (await Article.findAll({ attributes: ['id'], raw: true })).map((row) => row.id);
    const paths = ['/', ...articleIds.map((id) => `/articles/${id}`)];
    const context: WorkloadContext = {
      instances,
      reference,
      ledger,
      articleIds,
      commentIds: [],
      ...(options.onRender ? { onRender: options.onRender } : {}),
    };
    const refreshComments = async () => {
      context.commentIds = (await Comment.findAll({ attributes: ['id'], raw: true })).map((row) => row.id);
    };
    await refreshComments();

    const kinds: Record<string, number> = {};
    const pages = emptyPageCheck();
    const unexpectedErrors: string[] = [];
    let issued = 0;
    let failedRenders = 0;
    let abortedWrites = 0;
    let checkpoints = 0;
    // A checkpoint during a fault script closes the gate and waits for the operations in flight.
    let gate: Promise<void> | undefined;
    let inFlight = 0;
    let drained: (() => void) | undefined;
    const worker = async (more: () => boolean) => {
      while (more()) {
        while (gate) await gate;
        if (!more()) break;
        issued += 1;
        inFlight += 1;
        const serial = issued;
        try {
          const kind = await drawOperation(options.mix ?? FULL_MIX)(context, serial);
          kinds[kind] = (kinds[kind] ?? 0) + 1;
        } catch (error) {
          if (error instanceof FailedRender) failedRenders += 1;
          else if (error instanceof ForeignKeyConstraintError) abortedWrites += 1;
          else unexpectedErrors.push(String((error as Error)?.stack ?? error));
        } finally {
          inFlight -= 1;
          if (inFlight === 0) drained?.();
        }
      }
    };
    const workers = (more: () => boolean) => Promise.all(Array.from({ length: options.workers }, () => worker(more)));
    const checkpoint = async () => {
      await Promise.all(instances.map((instance) => instance.blog.sweeper.idle()));
      await checkPages(instances, reference!, paths, pages);
      checkpoints += 1;
      await refreshComments();
    };

    if (options.faults) {
      let faulting = true;
      const pauseAndCheck = async () => {
        let open!: () => void;
        gate = new Promise((resolve) => {
          open = resolve;
        });
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        drained = undefined;
        try {
          await checkpoint();
        } finally {
          gate = undefined;
          open();
        }
      };
      await Promise.all([options.faults(pauseAndCheck).finally(() => (faulting = false)), workers(() => faulting)]);
      await checkpoint();
    } else {
      for (let limit = options.checkEvery; ; limit += options.checkEvery) {
        const segmentEnd = Math.min(limit, options.total);
        await workers(() => issued < segmentEnd);
        await checkpoint();
        if (segmentEnd >= options.total) break;
      }
    }

    return {
      operations: issued,
      kinds,
      pages,
      checkpoints,
      ledger: ledger.figures,
      early: ledger.early,
      failedRenders,
      abortedWrites,
      unexpectedErrors,
      cacheErrors,
      kept: instances.reduce((sum, instance) => sum + instance.blog.sweeper.stats().kept, 0),
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    for (const instance of [...instances, reference]) await instance?.close();
    await options.cache.stop();
    database.remove();
  }
}

/** Widens the stale-set race window: after a query returns, its rows often wait a little, now and then a while, before anyone renders them. */
function delayAfterEveryQuery(instance: BlogInstance): void {
  for (const model of Object.values(instance.blog.models)) {
    model.addHook('afterFind', 'reliability-delay', async () => {
      const draw = Math.random();
      if (draw < 0.03) await sleep(10 + randomBelow(20));
      else if (draw < 0.3) await sleep(randomBelow(5));
    });
  }
}
