import { type CacheBackend, memoryBackend } from '@cachesweeper/core';

/** How a broken backend fails its counter bumps. */
export type Fault = 'hang' | 'reject';

/**
 * A memory backend whose counter bumps (`incr`, `add`) start failing once `fail()` is
 * called (`heal()` ends it). Give it another backend (`shared`) to model one process's
 * broken link to a cache other processes still reach.
 */
export function faultyBackend(
  fault: Fault,
  shared?: CacheBackend,
): { backend: CacheBackend; fail(): void; heal(): void } {
  const base = shared ?? memoryBackend();
  let failing = false;
  const broken = (): Promise<never> =>
    fault === 'hang' ? new Promise<never>(() => {}) : Promise.reject(new Error('injected: backend down'));
  const backend: CacheBackend = {
    name: `faulty-${fault}`,
    maxValueBytes: base.maxValueBytes,
    get: (key) => base.get(key),
    getMany: (keys) => base.getMany(keys),
    set: (key, value, ttl) => base.set(key, value, ttl),
    add: (key, value, ttl) => (failing ? broken() : base.add(key, value, ttl)),
    incr: (key, by) => (failing ? broken() : base.incr(key, by)),
    delete: (key) => base.delete(key),
    close: () => (shared === undefined ? base.close() : Promise.resolve()), // a shared base is its owner's to close
  };
  return {
    backend,
    fail() {
      failing = true;
    },
    heal() {
      failing = false;
    },
  };
}
