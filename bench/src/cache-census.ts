import type { CacheBackend, CacheEntry, FragmentLeases } from '@cachesweeper/core';

type Method = (...args: unknown[]) => unknown;

/**
 * Calls `onCall` with the method's name and arguments before every call of the
 * named `methods` of `backend`, until the returned function is called. The
 * in-process backend is watched through its synchronous face: the Sweeper calls it
 * directly, and its async methods call it too, so each call is seen once.
 */
export function watchBackend(
  backend: CacheBackend,
  methods: readonly string[],
  onCall: (method: string, args: unknown[]) => void,
): () => void {
  const face = backend.sync ?? backend;
  const target = face as unknown as Record<string, Method>;
  const restores: (() => void)[] = [];
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      onCall(name, args);
      return original.apply(face, args);
    };
    restores.push(() => {
      target[name] = original;
    });
  }
  return () => {
    for (const restore of restores) restore();
  };
}

/**
 * Runs `work` with `backend.leases` replaced by `patch(leases)` (when the backend has
 * leases), and with `methods` watched as `watchBackend` does; both are put back after.
 */
async function watching<T>(
  backend: CacheBackend,
  methods: readonly string[],
  onCall: (method: string, args: unknown[]) => void,
  patch: (leases: FragmentLeases) => FragmentLeases,
  work: () => Promise<T>,
): Promise<T> {
  const restore = watchBackend(backend, methods, onCall);
  const leasing = backend as { leases?: FragmentLeases };
  const { leases } = leasing;
  if (leases !== undefined) leasing.leases = patch(leases);
  try {
    return await work();
  } finally {
    restore();
    leasing.leases = leases;
  }
}

/**
 * Records the keys of every read round `work` makes on `backend`: the calls made in one
 * turn of the event loop are one round (a leasing backend reads the fragments read ahead
 * with their stamps, `leases.read`, beside the counters' multi-get), their keys in call
 * order. Only untimed census passes pay for the watching.
 */
export async function recordReads<T>(
  backend: CacheBackend,
  work: () => Promise<T>,
): Promise<{ rounds: string[][]; value: T }> {
  const rounds: string[][] = [];
  let round: string[] | undefined;
  const record = (keys: readonly string[]) => {
    if (round === undefined) {
      const opened: string[] = [];
      round = opened;
      rounds.push(opened);
      queueMicrotask(() => {
        round = undefined;
      });
    }
    round.push(...keys);
  };
  const readLeased = (leases: FragmentLeases): FragmentLeases => ({
    ...leases,
    read: (reads, ttlSeconds) => {
      record(reads.map((read) => read.key));
      return leases.read(reads, ttlSeconds);
    },
  });
  const onGet = (_method: string, [keys]: unknown[]) => record(keys as readonly string[]);
  return { rounds, value: await watching(backend, ['getMany'], onGet, readLeased, work) };
}

/**
 * Records every entry `work` writes to `backend` (`setMany`, or the stamped stores of
 * its leases), in order, with its value: what a page stored, though the page, keeping
 * its own copy, never reads it back.
 */
export async function recordStores<T>(
  backend: CacheBackend,
  work: () => Promise<T>,
): Promise<{ stores: CacheEntry[]; value: T }> {
  const stores: CacheEntry[] = [];
  const storeStamped = (leases: FragmentLeases): FragmentLeases => {
    const { store } = leases;
    if (store === undefined) return leases;
    return {
      ...leases,
      store: (entries) => {
        stores.push(...entries);
        return store.call(leases, entries);
      },
    };
  };
  const onSet = (_method: string, [entries]: unknown[]) => stores.push(...(entries as CacheEntry[]));
  return { stores, value: await watching(backend, ['setMany'], onSet, storeStamped, work) };
}
