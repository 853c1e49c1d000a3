import {
  type CacheBackend,
  type CacheEntry,
  createSweeper,
  memoryBackend,
  type Sweeper,
  type SweeperOptions,
} from '@cachesweeper/core';
import Handlebars from 'handlebars';
import { registerCacheSweeper } from '../src';
import type { CacheSweeperOptions } from '../src/registration';

/** A fresh Handlebars instance with the helper registered on a fresh sweeper. */
export function setup(
  options: { backend?: CacheBackend; sweeper?: SweeperOptions; register?: CacheSweeperOptions } = {},
) {
  const handlebars = Handlebars.create();
  const backend = options.backend ?? memoryBackend();
  const sweeper = createSweeper({ backend, ...options.sweeper });
  const registration = registerCacheSweeper(handlebars, sweeper, options.register);
  return { handlebars, sweeper, backend, registration };
}

/** The reference: plain Handlebars where the block helper just renders its block, as if there were no cache. */
export function uncachedHandlebars(partials: Record<string, string> = {}) {
  const handlebars = Handlebars.create();
  // Without a cache, a block renders its body: on its loaded data (a loader must answer synchronously here), and
  // the block's param (`as |x|`) is that data, or the target.
  handlebars.registerHelper('cachesweeper', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as {
      fn: ((context: unknown, options?: object) => string) & { blockParams?: number };
      hash: { load?: (target: unknown, context: unknown) => unknown };
    };
    const loaded = options.hash.load === undefined ? undefined : { value: options.hash.load(args[0], this) };
    if (options.fn.blockParams)
      return options.fn(this, { blockParams: [loaded === undefined ? args[0] : loaded.value] });
    return options.fn(loaded === undefined ? this : loaded.value);
  });
  for (const [name, source] of Object.entries(partials)) handlebars.registerPartial(name, source);
  return handlebars;
}

/** Counts the calls a backend receives, by method, and the keys asked with `getMany`. */
export interface CallCounts {
  get: number;
  getMany: number;
  set: number;
  setMany: number;
  add: number;
  incr: number;
  keysRead: number;
}

/** Wraps a backend to count its calls (no synchronous face, so the async path is used). */
export function countingBackend(inner: CacheBackend = memoryBackend()): { backend: CacheBackend; calls: CallCounts } {
  const calls: CallCounts = { get: 0, getMany: 0, set: 0, setMany: 0, add: 0, incr: 0, keysRead: 0 };
  const backend: CacheBackend = {
    name: 'counting',
    maxValueBytes: inner.maxValueBytes,
    get: (key) => {
      calls.get++;
      return inner.get(key);
    },
    getMany: (keys) => {
      calls.getMany++;
      calls.keysRead += keys.length;
      return inner.getMany(keys);
    },
    set: (key, value, ttl) => {
      calls.set++;
      return inner.set(key, value, ttl);
    },
    setMany: (entries: readonly CacheEntry[]) => {
      calls.setMany++;
      return inner.setMany
        ? inner.setMany(entries)
        : Promise.all(entries.map((entry) => inner.set(entry.key, entry.value, entry.ttlSeconds)));
    },
    add: (key, value, ttl) => {
      calls.add++;
      return inner.add(key, value, ttl);
    },
    incr: (key, by) => {
      calls.incr++;
      return inner.incr(key, by);
    },
    delete: (key) => inner.delete(key),
    close: () => inner.close(),
  };
  return { backend, calls };
}

/** A backend whose every call fails, or never answers. */
export function brokenBackend(how: 'fail' | 'hang'): CacheBackend {
  const answer = <T>(): Promise<T> =>
    how === 'fail' ? Promise.reject(new Error('connection refused')) : new Promise<T>(() => {});
  return {
    name: `broken-${how}`,
    maxValueBytes: 1024 * 1024,
    get: answer,
    getMany: answer,
    set: answer,
    add: answer,
    incr: answer,
    delete: answer,
    close: () => Promise.resolve(),
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A row reference for tests. */
export function row<T extends object = object>(
  model: string,
  id: number,
  extra?: T,
): { model: string; id: number } & T {
  return { model, id, ...(extra as T) };
}

export type { Sweeper };
