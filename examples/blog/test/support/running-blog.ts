import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheSweeperError } from '@cachesweeper/core';
import { type MemcachedProcess, type RedisProcess, startMemcached, startRedis } from '@cachesweeper/test-support';
import { type Blog, createBlog } from '../../src/app';
import { readConfig } from '../../src/config';
import type { SeedSize } from '../../src/db/seed';

/** Which cache a test blog runs on. */
export type BlogBackend = 'memory' | 'memcached' | 'redis';

/** A blog served on an ephemeral port, with its own SQLite file (and memcached or Redis server). */
export interface RunningBlog {
  readonly url: string;
  readonly blog: Blog;
  readonly memcached: MemcachedProcess | undefined;
  readonly redis: RedisProcess | undefined;
  readonly cacheErrors: CacheSweeperError[];
  stop(): Promise<void>;
}

const SMALL_SEED: SeedSize = { articles: 3, commentsPerArticle: 4, firstArticleComments: 12, maxVotesPerComment: 3 };

/**
 * Starts the real blog app (the one `pnpm start` runs) for a test; `env` adds configuration
 * (see `readConfig`), `serverName` names its memcached server in MEMCACHED_SERVERS.
 */
export async function startBlog(
  backend: BlogBackend,
  seed: SeedSize = SMALL_SEED,
  env: NodeJS.ProcessEnv = {},
  serverName?: string,
): Promise<RunningBlog> {
  const dir = mkdtempSync(join(tmpdir(), 'cachesweeper-blog-'));
  const memcached = backend === 'memcached' ? await startMemcached() : undefined;
  const redis = backend === 'redis' ? await startRedis() : undefined;
  const cacheErrors: CacheSweeperError[] = [];
  const config = readConfig({
    DATABASE_PATH: join(dir, 'blog.sqlite'),
    PORT: '0',
    ...(memcached ? { MEMCACHED_SERVERS: serverName ? `${serverName}=${memcached.address}` : memcached.address } : {}),
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...env,
  });
  const blog = await createBlog({ config, seed, onCacheError: (error) => cacheErrors.push(error) });
  const server = blog.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    blog,
    memcached,
    redis,
    cacheErrors,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await blog.close();
      await memcached?.stop();
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
