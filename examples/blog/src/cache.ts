import {
  type CacheBackend,
  type CacheSweeperError,
  createSweeper,
  memoryBackend,
  type Sweeper,
} from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import { redisBackend } from '@cachesweeper/redis';
import type { BlogConfig } from './config';

type CacheConfig = Pick<BlogConfig, 'memcachedServers' | 'redisUrl' | 'caching'>;

/** The blog's sweeper: Redis or memcached when configured, else the in-memory backend. */
export function createBlogSweeper(
  config: CacheConfig,
  onError: (error: CacheSweeperError) => void,
): { sweeper: Sweeper; backendName: string } {
  let backend: CacheBackend;
  if (config.redisUrl !== undefined) backend = redisBackend({ url: config.redisUrl });
  else if (config.memcachedServers.length > 0) backend = memcachedBackend({ servers: [...config.memcachedServers] });
  else backend = memoryBackend({ maxBytes: 32 * 1024 * 1024 });
  const caching = config.caching ?? true;
  return { sweeper: createSweeper({ backend, onError, caching }), backendName: cacheName(config) };
}

/** How the panel and the start line name the cache the configuration picks. */
export function cacheName(config: CacheConfig): string {
  const name = backendName(config);
  return config.caching === false ? `${name}, caching off` : name;
}

function backendName(config: CacheConfig): string {
  if (config.redisUrl !== undefined) {
    // The URL may hold a password: name the server by host and port only.
    const { hostname, port } = new URL(config.redisUrl);
    return `redis ${hostname}:${port || '6379'}`;
  }
  if (config.memcachedServers.length > 0) return `memcached ${config.memcachedServers.join(', ')}`;
  return 'memory';
}
