import { join } from 'node:path';
import { type CacheSweeperError, createSweeper, memoryBackend, type Sweeper } from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { type Blog, createBlog } from '../../examples/blog/src/app';

/** The cache a blog instance runs on. */
export type BackendName = 'memory' | 'memcached';

/** A seeded blog whose first article has `comments` comments. */
export interface BlogFixture {
  readonly blog: Blog;
  readonly backend: BackendName;
  /** The key namespace of its sweeper: every fixture has its own, as fixtures share one memcached server. */
  readonly namespace: string;
  readonly articleId: number;
  readonly commentIds: readonly number[];
  /** Cache failures seen (each one made part of a page render uncached): should stay empty. */
  readonly cacheErrors: CacheSweeperError[];
}

/** What a fixture is built from. */
export interface FixtureOptions {
  /** Directory for the SQLite files. */
  readonly dir: string;
  /** Comments on the measured article (N). */
  readonly comments: number;
  readonly backend: BackendName;
  /** Names the SQLite file (default: the backend's name). */
  readonly label?: string;
  /** `host:port` of the memcached server, for the memcached backend. */
  readonly memcachedAddress?: string;
}

/** The sweeper on a backend, as the blog builds it (memcached with its default options, a larger memory LRU). */
export function benchSweeper(
  backend: BackendName,
  memcachedAddress: string | undefined,
  namespace: string,
  onError: (error: CacheSweeperError) => void,
): Sweeper {
  if (backend === 'memory') {
    return createSweeper({ backend: memoryBackend({ maxBytes: 256 * 1024 * 1024 }), namespace, onError });
  }
  if (memcachedAddress === undefined) throw new Error('[cachesweeper] [bench] the memcached fixture needs a server');
  return createSweeper({ backend: memcachedBackend({ servers: memcachedAddress }), namespace, onError });
}

/**
 * The example blog (its models, rules, installer and seed) on its own SQLite file,
 * seeded with one article of N comments (the blog's deterministic seed: 0–6 votes
 * per comment, a third of them dislikes).
 */
export async function seedBlog(options: FixtureOptions): Promise<BlogFixture> {
  const cacheErrors: CacheSweeperError[] = [];
  // Databases seeded for different N hold different rows under the same ids: sharing a
  // namespace on one memcached server would serve one database's fragments for another's.
  const namespace = `${options.label ?? options.backend}-n${options.comments}`;
  const sweeper = benchSweeper(options.backend, options.memcachedAddress, namespace, (error) =>
    cacheErrors.push(error),
  );
  const blog = await createBlog({
    config: {
      port: 0,
      databasePath: join(options.dir, `${namespace}.sqlite`),
      memcachedServers: options.memcachedAddress === undefined ? [] : [options.memcachedAddress],
      sessionSecret: 'bench',
    },
    sweeper,
    seed: { articles: 1, commentsPerArticle: 0, firstArticleComments: options.comments, maxVotesPerComment: 6 },
    onCacheError: (error) => cacheErrors.push(error),
  });
  const article = await blog.models.Article.findOne({ order: [['id', 'ASC']] });
  if (article === null) throw new Error('[cachesweeper] [bench] the seed wrote no article');
  const comments = await blog.models.Comment.findAll({
    attributes: ['id'],
    where: { articleId: article.id },
    order: [['id', 'ASC']],
    raw: true,
  });
  return {
    blog,
    backend: options.backend,
    namespace,
    articleId: article.id,
    commentIds: comments.map((comment) => comment.id),
    cacheErrors,
  };
}
