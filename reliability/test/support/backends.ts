import { type CacheBackend, type CacheEntry, DEFAULT_MAX_VALUE_BYTES } from '@cachesweeper/core';
import { sleep } from './timing';

/** A backend whose every call fails: a Sweeper on it renders every fragment uncached (the reference render). */
export function uncachedBackend(): CacheBackend {
  const fail = () => Promise.reject(new Error('the reference renders without a cache'));
  return {
    name: 'none',
    maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
    get: fail,
    getMany: fail,
    set: fail,
    add: fail,
    incr: fail,
    delete: fail,
    close: () => Promise.resolve(),
  };
}

/** What a tapped backend reports, and how it delays calls. */
export interface BackendTap {
  /** Called as an `incr` or `add` (a counter write: a bump, or a counter created) is passed on to the backend. */
  onCounterWrite?(operation: 'incr' | 'add', key: string): void;
  /** Called when an `incr` settled with a number (a bump) or `undefined` (missing counter). */
  onIncr?(key: string, value: number | undefined): void;
  /** Called when an `add` settled; `added` tells whether `value` was stored. */
  onAdd?(key: string, value: string, added: boolean): void;
  /** Called when a counter write failed (rejected or late): it may still have landed on the server. */
  onCounterWriteFailed?(operation: 'incr' | 'add', key: string, value: string | undefined): void;
  /** Called when a `getMany` answered, with the values it returned. */
  onGetMany?(keys: readonly string[], values: readonly (string | undefined)[]): void;
  /** Milliseconds to wait before passing a call on (0 = none); drawn per call. */
  jitterMs?(): number;
}

/**
 * Wraps a backend: each call may be delayed by the tap's jitter (widening the race
 * windows between token reads, loads and stores), and the tap sees every token the
 * backend hands out. Synchronous access is dropped, so every call takes the async path.
 */
export function tappedBackend(backend: CacheBackend, tap: BackendTap): CacheBackend {
  const delay = async () => {
    const ms = tap.jitterMs?.() ?? 0;
    if (ms > 0) await sleep(ms);
  };
  return {
    name: backend.name,
    maxValueBytes: backend.maxValueBytes,
    get: async (key) => {
      await delay();
      return backend.get(key);
    },
    getMany: async (keys) => {
      await delay();
      const values = await backend.getMany(keys);
      tap.onGetMany?.(keys, values);
      return values;
    },
    set: async (key, value, ttl) => {
      await delay();
      return backend.set(key, value, ttl);
    },
    setMany: async (entries: readonly CacheEntry[]) => {
      await delay();
      if (backend.setMany) return backend.setMany(entries);
      return Promise.all(entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds)));
    },
    add: async (key, value, ttl) => {
      await delay();
      tap.onCounterWrite?.('add', key);
      const added = await backend.add(key, value, ttl).catch((error: unknown) => {
        tap.onCounterWriteFailed?.('add', key, value);
        throw error;
      });
      tap.onAdd?.(key, value, added);
      return added;
    },
    incr: async (key, by) => {
      await delay();
      tap.onCounterWrite?.('incr', key);
      const value = await backend.incr(key, by).catch((error: unknown) => {
        tap.onCounterWriteFailed?.('incr', key, undefined);
        throw error;
      });
      tap.onIncr?.(key, value);
      return value;
    },
    delete: async (key) => {
      await delay();
      return backend.delete(key);
    },
    ...(backend.flush ? { flush: () => backend.flush!() } : {}),
    close: () => backend.close(),
  };
}
