import {
  type CacheBackend,
  type CacheSweeperError,
  createSweeper,
  memoryBackend,
  type Sweeper,
} from '@cachesweeper/core';
import { memcachedBackend, type ServerStatus } from '@cachesweeper/memcached';
import { redisBackend } from '@cachesweeper/redis';
import type { BlogConfig } from './config';

type CacheConfig = Pick<BlogConfig, 'memcachedServers' | 'redisUrl'>;

/** The sweeper the blog built, how its backend is named, and its memcached servers' states (memcached only). */
export interface BlogSweeper {
  readonly sweeper: Sweeper;
  readonly backendName: string;
  readonly servers?: () => readonly ServerStatus[];
}

/** The blog's sweeper: Redis or memcached when configured, else the in-memory backend. */
export function createBlogSweeper(config: CacheConfig, onError: (error: CacheSweeperError) => void): BlogSweeper {
  const backendName = cacheName(config);
  if (config.redisUrl !== undefined) {
    return { sweeper: createSweeper({ backend: redisBackend({ url: config.redisUrl }), onError }), backendName };
  }
  if (config.memcachedServers.length > 0) {
    const backend = memcachedBackend({ servers: [...config.memcachedServers] });
    return { sweeper: createSweeper({ backend, onError }), backendName, servers: () => backend.servers() };
  }
  const backend: CacheBackend = memoryBackend({ maxBytes: 32 * 1024 * 1024 });
  return { sweeper: createSweeper({ backend, onError }), backendName };
}

/** How the panel and the start line name the cache the configuration picks. */
export function cacheName(config: CacheConfig): string {
  if (config.redisUrl !== undefined) {
    // The URL may hold a password: name the server by host and port only.
    const { hostname, port } = new URL(config.redisUrl);
    return `redis ${hostname}:${port || '6379'}`;
  }
  if (config.memcachedServers.length > 0) return `memcached ${config.memcachedServers.join(', ')}`;
  return 'memory';
}
