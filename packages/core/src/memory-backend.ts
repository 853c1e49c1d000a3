import { LRUCache } from 'lru-cache';
import { type CacheBackend, type CacheEntry, DEFAULT_MAX_VALUE_BYTES, type SyncCacheBackend } from './backend';
import { CacheSweeperError, describeValue } from './errors';
import { isValidCacheKey } from './keys';

/** Options of `memoryBackend`. */
export interface MemoryBackendOptions {
  /** Most entries kept; the least recently used go first. Default: no entry limit. */
  readonly maxEntries?: number;
  /** Most memory kept, counting keys and values as UTF-16 (2 bytes a character). Default: 64 MiB. */
  readonly maxBytes?: number;
  /** Largest value stored, in bytes of UTF-8; larger ones are not cached. Default: memcached's 1 MiB item limit. */
  readonly maxValueBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
// lru-cache's own bookkeeping per entry, so a flood of tiny entries is still bounded.
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * An in-process LRU backend (lru-cache), bounded by entries or bytes: the embedded
 * default. It enforces memcached's rules on keys and value sizes so code that works
 * here works on memcached, and it offers synchronous access (`sync`).
 *
 * @example
 * const sweeper = createSweeper({ backend: memoryBackend({ maxBytes: 32 * 1024 * 1024 }) });
 */
export function memoryBackend(options: MemoryBackendOptions = {}): CacheBackend {
  const { maxEntries, maxBytes = DEFAULT_MAX_BYTES, maxValueBytes = DEFAULT_MAX_VALUE_BYTES } = options;
  checkPositiveInteger('maxEntries', maxEntries, true);
  checkPositiveInteger('maxBytes', maxBytes, false);
  checkPositiveInteger('maxValueBytes', maxValueBytes, false);

  const cache = new LRUCache<string, string>({
    ...(maxEntries === undefined ? {} : { max: maxEntries }),
    maxSize: maxBytes,
    sizeCalculation: (value, key) => (value.length + key.length) * 2 + ENTRY_OVERHEAD_BYTES,
  });
  let closed = false;

  const checkOpen = (operation: string) => {
    if (closed) throw new CacheSweeperError('memory', `${operation} after close()`);
  };
  const checkKey = (key: string) => {
    if (typeof key !== 'string' || !isValidCacheKey(key)) {
      throw new CacheSweeperError(
        'memory',
        `key ${describeValue(key)} is not a valid cache key (1-250 ASCII bytes, no spaces or control bytes)`,
      );
    }
  };
  const ttlOf = (ttlSeconds: number) => {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
      throw new CacheSweeperError('memory', `TTL ${describeValue(ttlSeconds)} must be a whole number of seconds >= 0`);
    }
    return ttlSeconds === 0 ? undefined : ttlSeconds * 1000;
  };
  const fits = (value: string) => {
    if (typeof value !== 'string') {
      throw new CacheSweeperError('memory', `value ${describeValue(value)} must be a string`);
    }
    // Cheap bound first: a UTF-16 unit is at most 3 bytes of UTF-8.
    return value.length * 3 <= maxValueBytes || Buffer.byteLength(value, 'utf8') <= maxValueBytes;
  };

  const sync: SyncCacheBackend = {
    getMany(keys) {
      checkOpen('getMany');
      keys.forEach(checkKey);
      return keys.map((key) => cache.get(key));
    },
    set(key, value, ttlSeconds) {
      checkOpen('set');
      checkKey(key);
      const ttl = ttlOf(ttlSeconds);
      if (!fits(value)) {
        cache.delete(key); // memcached drops the old value when a new one is refused
        return false;
      }
      cache.set(key, value, ttl === undefined ? {} : { ttl });
      return true;
    },
    add(key, value, ttlSeconds) {
      checkOpen('add');
      checkKey(key);
      const ttl = ttlOf(ttlSeconds);
      if (cache.has(key)) return false;
      if (!fits(value)) return false;
      cache.set(key, value, ttl === undefined ? {} : { ttl });
      return true;
    },
    incr(key, by) {
      checkOpen('incr');
      checkKey(key);
      if (!Number.isSafeInteger(by) || by < 0) {
        throw new CacheSweeperError('memory', `incr by ${describeValue(by)}: must be a whole number >= 0`);
      }
      const current = cache.get(key);
      if (current === undefined) return undefined;
      if (!/^\d{1,20}$/.test(current)) {
        throw new CacheSweeperError(
          'memory',
          `incr of key "${key}": value ${describeValue(current)} is not a decimal counter`,
        );
      }
      const next = Number(current) + by;
      cache.set(key, String(next), { noUpdateTTL: true });
      return next;
    },
  };

  const attempt = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  return {
    name: 'memory',
    maxValueBytes,
    sync,
    get: (key) => attempt(() => sync.getMany([key])[0]),
    getMany: (keys) => attempt(() => sync.getMany(keys)),
    set: (key, value, ttlSeconds) => attempt(() => sync.set(key, value, ttlSeconds)),
    setMany: (entries: readonly CacheEntry[]) =>
      attempt(() => entries.map((entry) => sync.set(entry.key, entry.value, entry.ttlSeconds))),
    add: (key, value, ttlSeconds) => attempt(() => sync.add(key, value, ttlSeconds)),
    incr: (key, by) => attempt(() => sync.incr(key, by)),
    delete: (key) =>
      attempt(() => {
        checkOpen('delete');
        checkKey(key);
        return cache.delete(key);
      }),
    flush: () =>
      attempt(() => {
        checkOpen('flush');
        cache.clear();
      }),
    close: () => {
      closed = true;
      cache.clear();
      return Promise.resolve();
    },
  };
}

function checkPositiveInteger(name: string, value: number | undefined, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new CacheSweeperError('memory', `option ${name} must be a whole number > 0, got ${describeValue(value)}`);
  }
}
