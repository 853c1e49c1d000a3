import { join } from 'node:path';
import { CacheSweeperError, createSweeper, memoryBackend, type Sweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { redisBackend } from '@cachesweeper/redis';
import { type Blog, createBlog } from '../../examples/blog/src/app';
import { type DatabaseName, openBenchDatabase } from './databases';

/** The cache a blog instance runs on. */
export type BackendName = 'memory' | 'memcached' | 'redis';

/** A seeded blog whose first article has `comments` comments. */
export interface BlogFixture {
  readonly blog: Blog;
  readonly backend: BackendName;
  readonly database: DatabaseName;
  /** The key namespace of its sweeper: every fixture has its own, as fixtures share one memcached server. */
  readonly namespace: string;
  readonly articleId: number;
  readonly commentIds: readonly number[];
  /** Cache failures seen (each one made part of a page render uncached): should stay empty. */
  readonly cacheErrors: CacheSweeperError[];
  /** Closes the blog and drops its database (the PostgreSQL schema). */
  close(): Promise<void>;
}

/** What a fixture is built from. */
export interface FixtureOptions {
  /** Directory for the SQLite files. */
  readonly dir: string;
  /** Comments on the measured article (N). */
  readonly comments: number;
  readonly backend: BackendName;
  /** Where the blog's tables live. Default: `sqlite`. */
  readonly database?: DatabaseName;
  /** Names the SQLite file or PostgreSQL schema (default: the backend's name). */
  readonly label?: string;
  /** `host:port` of the memcached server, for the memcached backend (`name=host:port` entries for several). */
  readonly memcachedAddress?: string | readonly string[];
  /** With several memcached servers: keep copies of the version keys on other servers (the backend's `keyCopies`). Default: true. */
  readonly keyCopies?: boolean;
  /** `redis://host:port` of the Redis server, for the redis backend. */
  readonly redisUrl?: string;
}

/**
 * Waits for a fixture's background work after a write: the outbox's acknowledgement (a
 * DELETE, after the commit) and the sweeper's cache writes. Neither may land in the next
 * measurement or census.
 */
export async function settleFixture(fixture: BlogFixture): Promise<void> {
  await fixture.blog.installation.outbox?.idle();
  await fixture.blog.sweeper.idle();
}

/** Whether the blog runs WITHIN=on, its default; `BENCH_WITHIN=off pnpm bench` runs it off (bench/RESULTS-without-within.md is such a run). */
export function benchWithin(): boolean {
  return process.env.BENCH_WITHIN !== 'off';
}

/** The sweeper on a backend, as the blog builds it (memcached and Redis with their default options, a larger memory LRU). */
export function benchSweeper(
  backend: BackendName,
  memcachedAddress: string | readonly string[] | undefined,
  namespace: string,
  onError: (error: CacheSweeperError) => void,
  redisUrl?: string,
  keyCopies?: boolean,
): Sweeper {
  if (backend === 'memory') {
    return createSweeper({ backend: memoryBackend({ maxBytes: 256 * 1024 * 1024 }), namespace, onError });
  }
  if (backend === 'redis') {
    if (redisUrl === undefined) throw new CacheSweeperError('bench', 'the redis fixture needs a server');
    return createSweeper({ backend: redisBackend({ url: redisUrl }), namespace, onError });
  }
  if (memcachedAddress === undefined) throw new CacheSweeperError('bench', 'the memcached fixture needs a server');
  const servers = typeof memcachedAddress === 'string' ? memcachedAddress : [...memcachedAddress];
  return createSweeper({
    backend: memcachedBackend({ servers, ...(keyCopies === undefined ? {} : { keyCopies }) }),
    namespace,
    onError,
  });
}

/**
 * The example blog (its models, rules, installer and seed) on its own SQLite file
 * or PostgreSQL schema, seeded with one article of N comments (the blog's
 * deterministic seed: 0–6 votes per comment, a third of them dislikes).
 */
export async function seedBlog(options: FixtureOptions): Promise<BlogFixture> {
  const cacheErrors: CacheSweeperError[] = [];
  const database = options.database ?? 'sqlite';
  // Databases seeded for different N hold different rows under the same ids: sharing a
  // namespace on one memcached server would serve one database's fragments for another's.
  const namespace = `${database === 'postgres' ? 'pg-' : ''}${options.label ?? options.backend}-n${options.comments}`;
  const opened = await openBenchDatabase(database, options.dir, namespace);
  const sweeper = benchSweeper(
    options.backend,
    options.memcachedAddress,
    namespace,
    (error) => cacheErrors.push(error),
    options.redisUrl,
    options.keyCopies,
  );
  let blog: Blog;
  try {
    blog = await createBlog({
      config: {
        port: 0,
        databasePath: join(options.dir, `${namespace}.sqlite`),
        memcachedServers: options.memcachedAddress === undefined ? [] : [options.memcachedAddress].flat(),
        sessionSecret: 'bench',
        within: benchWithin(),
      },
      sequelize: opened.sequelize,
      sweeper,
      seed: { articles: 1, commentsPerArticle: 0, firstArticleComments: options.comments, maxVotesPerComment: 6 },
      onCacheError: (error) => cacheErrors.push(error),
    });
  } catch (error) {
    await opened.drop();
    await Promise.all([sweeper.close(), opened.sequelize.close()]);
    throw error;
  }
  const close = async () => {
    await opened.drop();
    await blog.close();
  };
  try {
    const article = await blog.models.Article.findOne({ order: [['id', 'ASC']] });
    if (article === null) throw new CacheSweeperError('bench', `the seed of ${namespace} wrote no article`);
    const comments = await blog.models.Comment.findAll({
      attributes: ['id'],
      where: { articleId: article.id },
      order: [['id', 'ASC']],
      raw: true,
    });
    return {
      blog,
      backend: options.backend,
      database,
      namespace,
      articleId: article.id,
      commentIds: comments.map((comment) => comment.id),
      cacheErrors,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Seeds several blogs at once (their SQL overlaps: a PostgreSQL schema's set-up is
 * dozens of round trips). If one fails, the others are closed and the first error
 * is thrown.
 */
export async function seedBlogs(list: readonly FixtureOptions[]): Promise<BlogFixture[]> {
  const settled = await Promise.allSettled(list.map((options) => seedBlog(options)));
  const fixtures = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    await Promise.allSettled(fixtures.map((fixture) => fixture.close()));
    throw failure.reason;
  }
  return fixtures;
}
