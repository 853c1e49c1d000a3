import { beforeAll, describe, expect, it } from 'vitest';
import { panelFigures } from '../../examples/blog/test/support/browser-less-visitor';
import { OPERATIONS } from './support/blog-workload';
import { percentile } from './support/fleet/visibility';
import { type MemcachedCluster, memcachedCluster } from './support/memcached-cluster';
import { type RaceOutcome, runRace } from './support/race-run';
import { printFigures, scaled } from './support/scale';
import { sleep } from './support/timing';

const CYCLES = scaled(1, 3);
/** The Sweeper's default deadline per backend round: a page waits on a bad backend at most once. */
const ROUND_DEADLINE_MS = 200;
/**
 * The sweeper's default `leases.waitMs` (the block deadline): a page that finds a missed
 * fragment leased by another render waits at most this long for it, then renders it itself.
 * With a server killed or frozen, the leaseholder's store may never land.
 */
const LEASE_WAIT_MS = 1_000;
/**
 * Room for a shared, noisy 2-core machine on top of the deadline. Renders that met no
 * cache error and no lease wait, in 2 read rounds, have taken 4.1–5.1 s here (SQLite and
 * the CPU, loaded by the other test files) while the slowest uncached render took 1.1–1.3 s:
 * uncached renders are a sixth as many samples, and miss such stalls more often.
 */
const SLACK_MS = 3_000;

/**
 * One fault cycle over the three servers, rotating which one plays which part: one is
 * SIGKILLed, one frozen (SIGSTOP) past the backend's grace period and thawed, one frozen
 * briefly (within it); the killed one is restarted (empty), and traffic runs on until
 * every backend uses every server again; then every page is checked.
 */
async function faultCycle(
  cluster: MemcachedCluster,
  cycle: number,
  log: string[],
  checkpoint: () => Promise<void>,
): Promise<void> {
  const [killed, frozen, paused] = [0, 1, 2].map((offset) => cluster.servers[(cycle + offset) % 3]!);
  await sleep(1_500);
  await killed!.kill('SIGKILL');
  log.push(`kill ${killed!.port}`);
  await sleep(1_000);
  await frozen!.freeze();
  await sleep(2_500);
  await frozen!.thaw();
  log.push(`freeze ${frozen!.port} 2.5 s`);
  await paused!.freeze();
  await sleep(400);
  await paused!.thaw();
  log.push(`freeze ${paused!.port} 0.4 s`);
  await sleep(1_000);
  await killed!.restart();
  const restarted = performance.now();
  await cluster.allUp();
  log.push(`restart ${killed!.port}, all up after ${Math.round(performance.now() - restarted)} ms`);
  await sleep(1_500);
  await checkpoint();
}

/** The slowest cached renders, with the cache figures their pages show: whether what they waited on was the cache. */
class SlowestPages {
  readonly #pages: { ms: number; html: string }[] = [];
  constructor(readonly count: number) {}

  note(ms: number, html: string): void {
    this.#pages.push({ ms, html });
    this.#pages.sort((a, b) => b.ms - a.ms);
    this.#pages.length = Math.min(this.#pages.length, this.count);
  }

  describe(): string {
    return this.#pages
      .map(({ ms, html }) => {
        const { hits, misses, uncached, roundTrips } = panelFigures(html);
        return `${Math.round(ms)} ms: ${hits} hits, ${misses} misses, ${uncached} uncached, ${roundTrips} read rounds`;
      })
      .join('; ');
  }
}

describe('three memcached servers under renders and writes: one killed, one frozen, then back', () => {
  let outcome: RaceOutcome;
  let cluster: MemcachedCluster;
  const slowest = { cached: 0, uncached: 0 };
  const cachedTimes: number[] = [];
  const slowestPages = new SlowestPages(3);
  let renders = 0;
  let writes = 0;
  const log: string[] = [];

  beforeAll(async () => {
    cluster = await memcachedCluster(3);
    outcome = await runRace({
      cache: cluster,
      total: 0,
      workers: 12,
      checkEvery: 0,
      seed: { articles: 4, commentsPerArticle: 12, firstArticleComments: 12, maxVotesPerComment: 4 },
      delays: false,
      mix: [
        [70, OPERATIONS.renderArticle],
        [8, OPERATIONS.renderIndex],
        [15, OPERATIONS.renderUncached],
        [7, OPERATIONS.vote],
        [3, OPERATIONS.editComment],
        [2, OPERATIONS.moveComment],
        [4, OPERATIONS.voteOverHttp],
        [1, OPERATIONS.rolledBack],
      ],
      onRender: (ms, cached, html) => {
        if (cached) {
          renders += 1;
          cachedTimes.push(ms);
          if (html !== undefined) slowestPages.note(ms, html);
        }
        const which = cached ? 'cached' : 'uncached';
        slowest[which] = Math.max(slowest[which], ms);
      },
      faults: async (checkpoint) => {
        for (let cycle = 0; cycle < CYCLES; cycle++) await faultCycle(cluster, cycle, log, checkpoint);
      },
    });
    writes = Object.entries(outcome.kinds)
      .filter(([kind]) => !kind.includes('render'))
      .reduce((sum, [, count]) => sum + count, 0);
    const downs = cluster.changes.filter((change) => change.state === 'down').length;
    printFigures(
      'nodes',
      `3 servers, ${CYCLES} fault cycles (${log.join('; ')}), ${renders} renders and ${writes} writes, ` +
        `${outcome.failedRenders} failed renders, renders p99 ${Math.round(percentile(cachedTimes, 99))} ms, slowest ${Math.round(slowest.cached)} ms ` +
        `(the slowest three: ${slowestPages.describe()}) ` +
        `(bound of the p99: slowest uncached ${Math.round(slowest.uncached)} ms + ${ROUND_DEADLINE_MS} ms deadline + ${LEASE_WAIT_MS} ms lease wait + ${SLACK_MS} ms slack), ` +
        `${downs} times a server was marked down, ${outcome.cacheErrors} cache errors absorbed, ` +
        `${outcome.pages.checked} pages checked after rejoin, ${outcome.pages.stale.length} stale, ${outcome.seconds} s`,
    );
  });

  it('fails no render', () => {
    expect(outcome.failedRenders + outcome.pages.failed).toBe(0);
  });

  // The p99, not the slowest: cached renders are five times as many samples as uncached ones, and
  // on a loaded 2-core machine the slowest of more samples sits further out in the queueing tail.
  // A page that waited on a frozen server would not be alone: every page in flight during the
  // 2.5 s freeze reads from it (dozens), which would put the p99 past the bound.
  it('keeps renders (p99) within one round deadline and one lease wait of an uncached render (plus slack)', () => {
    const bound = slowest.uncached + ROUND_DEADLINE_MS + LEASE_WAIT_MS + SLACK_MS;
    expect(percentile(cachedTimes, 99)).toBeLessThanOrEqual(bound);
  });

  it('serves no stale page once the servers have rejoined', () => {
    expect(outcome.pages.stale).toEqual([]);
  });

  it('meets no unexpected error in writes', () => {
    expect(outcome.unexpectedErrors).toEqual([]);
  });

  it('saw the killed and frozen servers go down and come back', () => {
    expect(cluster.changes.filter((change) => change.state === 'down').length).toBeGreaterThanOrEqual(2 * CYCLES);
  });
});
