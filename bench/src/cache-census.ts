import type { CacheBackend } from '@cachesweeper/core';

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
  const restore = watchBackend(backend, ['getMany'], (_method, [keys]) => record(keys as readonly string[]));
  const leasing = backend as { leases?: CacheBackend['leases'] };
  const { leases } = leasing;
  if (leases !== undefined) {
    leasing.leases = {
      ...leases,
      read: (reads, ttlSeconds) => {
        record(reads.map((read) => read.key));
        return leases.read(reads, ttlSeconds);
      },
    };
  }
  try {
    return { rounds, value: await work() };
  } finally {
    restore();
    leasing.leases = leases;
  }
}
