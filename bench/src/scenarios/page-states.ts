import { type DjangoArticlePage, djangoArticlePage } from '../baselines/django';
import { uncachedArticlePage } from '../baselines/uncached';
import { recordReads } from '../cache-census';
import { DATABASES, type DatabaseName } from '../databases';
import { type BackendName, type BlogFixture, seedBlogs, settleFixture } from '../fixtures';
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
  { id: 'redis.full', label: 'redis: full hit' },
  { id: 'redis.vote', label: 'redis: after one vote' },
  { id: 'redis.cold', label: 'redis: cold (all missed)' },
  { id: 'django', label: 'django-cache-sweeper, warm (memcached)' },
] as const;

/** A page state's id. */
export type PageStateId = (typeof PAGE_STATES)[number]['id'];

/** What one render of a state cost besides time (from an untimed census pass). */
export interface StateCensus {
  readonly database: DatabaseName;
  readonly id: PageStateId;
  /** Cache read rounds before the response. */
  readonly reads: number;
  /** Cache write rounds after the response (background). */
  readonly writeRounds: number;
  /** Keys in those read rounds, summed. */
  readonly keysRead: number;
  /** SQL statements. */
  readonly queries: number;
  /** Of those, the ones the page waited for one after the other (see `countQueries`). */
  readonly sequentialQueries: number;
  readonly hits: number;
  readonly misses: number;
  /** Whether the page's body is byte-identical to the uncached page's on the same data. */
  readonly identical: boolean;
}

/** The page comparison at one N, on every database. */
export interface PageStatesAtN {
  readonly n: number;
  /** One entry per database and state, named by `variantName`. */
  readonly measured: Measured[];
  readonly census: StateCensus[];
  /** Cache failures during the run (each would have made part of a page uncached). */
  readonly cacheErrors: number;
}

/** The name of a state's measurement on one database. */
export function variantName(database: DatabaseName, id: PageStateId): string {
  return `${database}:${id}`;
}

interface State {
  readonly database: DatabaseName;
  readonly id: PageStateId;
  readonly fixture: BlogFixture;
  setup?(): unknown;
  render(): Promise<RenderedPage>;
  teardown?(): unknown;
  /** The uncached page on the same data, for the identity check (the naive page for the batched one, else the batched). */
  reference(): Promise<RenderedPage>;
}

function cachedStates(fixture: BlogFixture): State[] {
  const backend: BackendName = fixture.backend;
  const { blog, database } = fixture;
  const page = cachedArticlePage(fixture);
  // The batched uncached page renders what the naive one does (its own state checks that) in 4 queries.
  const reference = uncachedArticlePage(fixture, 'batched');
  const idle = () => settleFixture(fixture);
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
      ...fixture.commentIds.map((id) => ({ model: 'Comment', id, articleId: fixture.articleId })),
    ]);
  };
  const common = { database, fixture, render: page.render, teardown: idle, reference: reference.render };
  return [
    { id: `${backend}.full`, ...common },
    { id: `${backend}.vote`, setup: vote, ...common },
    { id: `${backend}.cold`, setup: bumpAll, ...common },
  ];
}

/** The cache servers the cached contenders use. */
export interface BenchServers {
  /** `host:port` of the memcached server. */
  readonly memcached: string;
  /** `redis://host:port` of the Redis server. */
  readonly redis: string;
}

/** The contenders of one database: the same seed in five SQLite files or PostgreSQL schemas. */
interface Contenders {
  readonly memory: BlogFixture;
  readonly memcached: BlogFixture;
  readonly redis: BlogFixture;
  readonly plain: BlogFixture;
  readonly django: BlogFixture;
}

const CONTENDERS = [
  ['memory', 'memory', undefined],
  ['memcached', 'memcached', undefined],
  ['redis', 'redis', undefined],
  ['plain', 'memory', 'uncached'],
  ['django', 'memory', 'django'],
] as const satisfies readonly (readonly [keyof Contenders, BackendName, string | undefined])[];

/** Seeds every contender of every database at once. */
async function seedContenders(
  n: number,
  dir: string,
  servers: BenchServers,
): Promise<{ fixtures: BlogFixture[]; byDatabase: Map<DatabaseName, Contenders> }> {
  const specs = DATABASES.flatMap((database) =>
    CONTENDERS.map(([role, backend, label]) => ({ database, role, backend, label })),
  );
  const fixtures = await seedBlogs(
    specs.map(({ database, backend, label }) => ({
      dir,
      comments: n,
      backend,
      database,
      label,
      memcachedAddress: servers.memcached,
      redisUrl: servers.redis,
    })),
  );
  const byDatabase = new Map<DatabaseName, Contenders>();
  for (const database of DATABASES) {
    const roles = specs.flatMap((spec, index) => (spec.database === database ? [[spec.role, fixtures[index]]] : []));
    byDatabase.set(database, Object.fromEntries(roles) as Contenders);
  }
  return { fixtures, byDatabase };
}

/** The states of one database's contenders, in table order. */
function statesOf(database: DatabaseName, contenders: Contenders, django: DjangoArticlePage): State[] {
  const naive = uncachedArticlePage(contenders.plain, 'naive');
  const batched = uncachedArticlePage(contenders.plain, 'batched');
  const uncached = { database, fixture: contenders.plain };
  return [
    { id: 'uncached', ...uncached, render: naive.render, reference: batched.render },
    { id: 'uncached-batched', ...uncached, render: batched.render, reference: naive.render },
    ...cachedStates(contenders.memory),
    ...cachedStates(contenders.memcached),
    ...cachedStates(contenders.redis),
    {
      id: 'django',
      database,
      fixture: contenders.django,
      render: django.render,
      reference: uncachedArticlePage(contenders.django, 'batched').render,
    },
  ];
}

/**
 * The article page in every state, side by side in one process, at one N, on
 * SQLite and on PostgreSQL over TCP: the uncached page (naive and batched
 * queries), full hit, after one vote and cold on the memory backend, on
 * memcached and on Redis, and django-cache-sweeper's warm page. Each contender has its own
 * SQLite file or PostgreSQL schema with the same seed, and every state of both
 * databases runs in each interleaved round. An untimed census pass first records
 * round trips, keys, queries, and that every cached page is byte-identical to the
 * uncached page on the same data.
 */
export async function measurePageStates(
  scale: BenchScale,
  n: number,
  dir: string,
  servers: BenchServers,
): Promise<PageStatesAtN> {
  const { fixtures, byDatabase } = await seedContenders(n, dir, servers);
  const djangoPages: DjangoArticlePage[] = [];
  try {
    const states: State[] = [];
    for (const [database, contenders] of byDatabase) {
      const django = djangoArticlePage(contenders.django, servers.memcached);
      djangoPages.push(django);
      states.push(...statesOf(database, contenders, django));
    }
    // Warm every cache (a first render creates the counters and stores every fragment).
    for (const state of states) {
      await state.render();
      await state.teardown?.();
    }
    const census: StateCensus[] = [];
    for (const state of states) census.push(await takeCensus(state));
    const variants: Variant[] = states.map((state) => ({
      name: variantName(state.database, state.id),
      setup: state.setup,
      run: state.render,
      teardown: state.teardown,
    }));
    const measured = await interleave(variants, scale.pageRounds(n));
    return {
      n,
      measured,
      census,
      cacheErrors: fixtures.reduce((sum, fixture) => sum + fixture.cacheErrors.length, 0),
    };
  } finally {
    for (const django of djangoPages) django.close();
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  }
}

async function takeCensus(state: State): Promise<StateCensus> {
  await state.setup?.();
  const { backend } = state.fixture.blog.sweeper;
  const { rounds, value: counted } = await recordReads(backend, () =>
    countQueries(state.fixture.blog.sequelize, state.render),
  );
  const { queries, sequential, value: page } = counted;
  await state.teardown?.();
  const reference = await state.reference();
  return {
    database: state.database,
    id: state.id,
    reads: page.stats.roundTrips,
    writeRounds: page.liveStats.roundTrips - page.stats.roundTrips,
    // django-cache-sweeper's page reads through its own client, one key per round trip.
    keysRead:
      state.id === 'django'
        ? page.stats.roundTrips - page.stats.stores
        : rounds.reduce((sum, keys) => sum + keys.length, 0),
    queries,
    sequentialQueries: sequential,
    hits: page.stats.hits,
    misses: page.stats.misses,
    identical: page.body === reference.body,
  };
}
