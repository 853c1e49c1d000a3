import {
  type CacheBackend,
  type CacheSweeperError,
  createSweeper,
  memoryBackend,
  type Sweeper,
} from '@cachesweeper/core';
import { memcachedBackend, type ServerStatus } from '@cachesweeper/memcached';
import type { BlogConfig } from './config';

/** The sweeper the blog built, how its backend is named, and its memcached servers' states (memcached only). */
export interface BlogSweeper {
  readonly sweeper: Sweeper;
  readonly backendName: string;
  readonly servers?: () => readonly ServerStatus[];
}

/** The blog's sweeper: memcached when servers are configured, else the in-memory backend. */
export function createBlogSweeper(
  config: Pick<BlogConfig, 'memcachedServers'>,
  onError: (error: CacheSweeperError) => void,
): BlogSweeper {
  if (config.memcachedServers.length > 0) {
    const backend = memcachedBackend({ servers: [...config.memcachedServers] });
    return {
      sweeper: createSweeper({ backend, onError }),
      backendName: `memcached ${config.memcachedServers.join(', ')}`,
      servers: () => backend.servers(),
    };
  }
  const backend: CacheBackend = memoryBackend({ maxBytes: 32 * 1024 * 1024 });
  return { sweeper: createSweeper({ backend, onError }), backendName: 'memory' };
}
