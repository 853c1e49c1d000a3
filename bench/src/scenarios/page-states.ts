import type { Sequelize } from 'sequelize';
import { djangoArticlePage } from '../baselines/django';
import { uncachedArticlePage } from '../baselines/uncached';
import { type BackendName, type BlogFixture, seedBlog } from '../fixtures';
import { interleave, type Measured, type Variant } from '../harness';
import { cachedArticlePage, type RenderedPage } from '../page';
import type { BenchScale } from '../scale';
import { countQueries } from '../sql-census';

/** The page states measured, in table order. */
export const PAGE_STATES = [
  { id: 'uncached', label: 'uncached (2 queries per comment)' },
  { id: 'uncached-batched', label: 'uncached, batched queries (4 queries)' },
  { id: 'memory.full', label: 'memory: full hit' },
  { id: 'memory.vote', label: 'memory: after one vote' },
  { id: 'memory.cold', label: 'memory: cold (all missed)' },
  { id: 'memcached.full', label: 'memcached: full hit' },
  { id: 'memcached.vote', label: 'memcached: after one vote' },
  { id: 'memcached.cold', label: 'memcached: cold (all missed)' },
  { id: 'django', label: 'django-cache-sweeper, warm (memcached)' },
] as const;

/** A page state's id. */
export type PageStateId = (typeof PAGE_STATES)[number]['id'];

/** What one render of a state cost besides time (from an untimed census pass). */
export interface StateCensus {
  readonly id: PageStateId;
  /** Cache read rounds before the response. */
  readonly reads: number;
  /** Cache write rounds after the response (background). */
  readonly writeRounds: number;
  /** SQL statements. */
  readonly queries: number;
  readonly hits: number;
  readonly misses: number;
  /** Whether the page's body is byte-identical to the uncached page's on the same data. */
  readonly identical: boolean;
}

/** The page comparison at one N. */
export interface PageStatesAtN {
  readonly n: number;
  readonly measured: Measured[];
  readonly census: StateCensus[];
  /** Cache failures during the run (each would have made part of a page uncached). */
  readonly cacheErrors: number;
}

interface State {
  readonly id: PageStateId;
  readonly sequelize: Sequelize;
  setup?(): unknown;
  render(): Promise<RenderedPage>;
  teardown?(): unknown;
  /** The uncached page on the same data, for the identity check. */
  reference(): Promise<RenderedPage>;
}

function cachedStates(fixture: BlogFixture): State[] {
  const backend: BackendName = fixture.backend;
  const { blog } = fixture;
  const page = cachedArticlePage(fixture);
  const reference = uncachedArticlePage(fixture, 'naive');
  const idle = () => blog.sweeper.idle();
  let voted = 0;
  // A real vote through the blog's models: the installer invalidates the comment and its article.
  const vote = async () => {
    const commentId = fixture.commentIds[voted++ % fixture.commentIds.length] as number;
    await blog.models.Vote.create({ commentId, value: 1 });
    await idle();
  };
  // Every row's counter bumped in one round: every block of the page misses.
  const bumpAll = async () => {
    await blog.sweeper.invalidateMany([
      { model: 'Article', id: fixture.articleId },
      ...fixture.commentIds.map((id) => ({ model: 'Comment', id })),
    ]);
  };
  const common = { sequelize: blog.sequelize, render: page.render, teardown: idle, reference: reference.render };
  return [
    { id: `${backend}.full`, ...common },
    { id: `${backend}.vote`, setup: vote, ...common },
    { id: `${backend}.cold`, setup: bumpAll, ...common },
  ];
}

/**
 * The article page in every state, side by side in one process, at one N: the
 * uncached page (naive and batched queries), full hit, after one vote and cold on
 * the memory backend and on memcached, and django-cache-sweeper's warm page. Each
 * contender has its own SQLite file with the same seed. An untimed census pass
 * first records round trips, queries, and that every cached page is byte-identical
 * to the uncached page on the same data.
 */
export async function measurePageStates(
  scale: BenchScale,
  n: number,
  dir: string,
  memcachedAddress: string,
): Promise<PageStatesAtN> {
  const memory = await seedBlog({ dir, comments: n, backend: 'memory' });
  const memcached = await seedBlog({ dir, comments: n, backend: 'memcached', memcachedAddress });
  const plain = await seedBlog({ dir, comments: n, backend: 'memory', label: 'uncached' });
  const djangoFixture = await seedBlog({ dir, comments: n, backend: 'memory', label: 'django' });
  const django = djangoArticlePage(djangoFixture, memcachedAddress);
  const naive = uncachedArticlePage(plain, 'naive');
  const states: State[] = [
    { id: 'uncached', sequelize: plain.blog.sequelize, render: naive.render, reference: naive.render },
    {
      id: 'uncached-batched',
      sequelize: plain.blog.sequelize,
      render: uncachedArticlePage(plain, 'batched').render,
      reference: naive.render,
    },
    ...cachedStates(memory),
    ...cachedStates(memcached),
    {
      id: 'django',
      sequelize: djangoFixture.blog.sequelize,
      render: django.render,
      reference: uncachedArticlePage(djangoFixture, 'naive').render,
    },
  ];
  try {
    // Warm every cache (a first render creates the counters and stores every fragment).
    for (const state of states) {
      await state.render();
      await state.teardown?.();
    }
    const census: StateCensus[] = [];
    for (const state of states) census.push(await takeCensus(state));
    const variants: Variant[] = states.map((state) => ({
      name: state.id,
      setup: state.setup,
      run: state.render,
      teardown: state.teardown,
    }));
    const measured = await interleave(variants, scale.pageRounds(n));
    return {
      n,
      measured,
      census,
      cacheErrors: memory.cacheErrors.length + memcached.cacheErrors.length,
    };
  } finally {
    django.close();
    for (const fixture of [memory, memcached, plain, djangoFixture]) await fixture.blog.close();
  }
}

async function takeCensus(state: State): Promise<StateCensus> {
  await state.setup?.();
  const { queries, value: page } = await countQueries(state.sequelize, state.render);
  await state.teardown?.();
  const reference = await state.reference();
  return {
    id: state.id,
    reads: page.stats.roundTrips,
    writeRounds: page.liveStats.roundTrips - page.stats.roundTrips,
    queries,
    hits: page.stats.hits,
    misses: page.stats.misses,
    identical: page.body === reference.body,
  };
}
