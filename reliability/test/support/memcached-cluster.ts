import { type MemcachedBackend, memcachedBackend, type ServerChange } from '@cachesweeper/memcached';
import { type MemcachedProcess, startMemcached } from '@cachesweeper/test-support';
import type { CacheSetup } from './race-run';
import { waitUntil } from './timing';

/** Several memcached servers; each app instance gets its own backend over all of them (consistent hashing). */
export interface MemcachedCluster extends CacheSetup {
  readonly servers: readonly MemcachedProcess[];
  /** The backends handed out so far. */
  readonly backends: readonly MemcachedBackend[];
  /** Every state change any backend reported. */
  readonly changes: readonly ServerChange[];
  /** Resolves once every backend sees every server `up` again. */
  allUp(timeoutMs?: number): Promise<void>;
}

/** Starts `size` memcached servers on free loopback ports. */
export async function memcachedCluster(size: number): Promise<MemcachedCluster> {
  const servers = await Promise.all(Array.from({ length: size }, () => startMemcached()));
  const backends: MemcachedBackend[] = [];
  const changes: ServerChange[] = [];
  return {
    servers,
    backends,
    changes,
    backendFor() {
      const backend = memcachedBackend({
        servers: servers.map((server) => server.address),
        onServerChange: (change) => changes.push(change),
      });
      backends.push(backend);
      return backend;
    },
    allUp: (timeoutMs = 20_000) =>
      waitUntil(
        'every backend to see every server up',
        () => backends.every((backend) => backend.servers().every((status) => status.state === 'up')),
        timeoutMs,
      ),
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}
