import {
  type CacheBackend,
  type CacheSweeperError,
  createSweeper,
  memoryBackend,
  type Sweeper,
} from '@cachesweeper/core';
import { memcachedBackend } from '@cachesweeper/memcached';
import type { BlogConfig } from './config';

/** The blog's sweeper: memcached when servers are configured, else the in-memory backend. */
export function createBlogSweeper(
  config: Pick<BlogConfig, 'memcachedServers'>,
  onError: (error: CacheSweeperError) => void,
): { sweeper: Sweeper; backendName: string } {
  const backend: CacheBackend =
    config.memcachedServers.length > 0
      ? memcachedBackend({ servers: [...config.memcachedServers] })
      : memoryBackend({ maxBytes: 32 * 1024 * 1024 });
  const backendName = config.memcachedServers.length > 0 ? `memcached ${config.memcachedServers.join(', ')}` : 'memory';
  return { sweeper: createSweeper({ backend, onError }), backendName };
}
