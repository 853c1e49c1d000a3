import type { CacheEntry } from '../backend';
import type { LeaseAnswer, LeaseRead } from '../fragment-leases';

/** One round of backend calls (a batch of parallel calls counts as one round). */
export type BackendOp =
  | { readonly kind: 'getMany'; readonly what: string; readonly keys: readonly string[] }
  | { readonly kind: 'addMany'; readonly what: string; readonly entries: readonly CacheEntry[] }
  | { readonly kind: 'incrMany'; readonly what: string; readonly keys: readonly string[] }
  | { readonly kind: 'setMany'; readonly what: string; readonly entries: readonly CacheEntry[] }
  | { readonly kind: 'storeStamped'; readonly what: string; readonly entries: readonly CacheEntry[] }
  | {
      readonly kind: 'getStamped';
      readonly what: string;
      readonly keys: readonly string[];
      readonly stamped: readonly LeaseRead[];
      readonly ttlSeconds: number;
    }
  | {
      readonly kind: 'readLeased';
      readonly what: string;
      readonly reads: readonly LeaseRead[];
      readonly ttlSeconds: number;
    };

/**
 * A conversation with the backend, written once as a generator that yields the rounds
 * it needs and returns `T`; `run-conversation.ts` runs it against an async backend
 * (a deadline per round) or a synchronous one. A conversation never sees a failed
 * round: the runner stops it there and the caller renders uncached.
 */
export type Conversation<T> = Generator<BackendOp, T, unknown>;

/** Reads `keys` in one round; one value per key, `undefined` where missing. */
export function* getMany(what: string, keys: readonly string[]): Conversation<(string | undefined)[]> {
  return (yield { kind: 'getMany', what, keys }) as (string | undefined)[];
}

/** An add that failed (its server down, say); the other adds of its round still count. */
export interface FailedAdd {
  readonly failed: unknown;
}

/**
 * Adds entries (store only if absent) in one round; `true` where this call stored it,
 * `false` where the key was there, a `FailedAdd` where that add failed: one unreachable
 * server costs only its own keys. The round itself fails only when it misses its deadline.
 */
export function* addMany(what: string, entries: readonly CacheEntry[]): Conversation<(boolean | FailedAdd)[]> {
  return (yield { kind: 'addMany', what, entries }) as (boolean | FailedAdd)[];
}

/** Increments counters by one in one round; the new value, or `undefined` where missing. */
export function* incrMany(what: string, keys: readonly string[]): Conversation<(number | undefined)[]> {
  return (yield { kind: 'incrMany', what, keys }) as (number | undefined)[];
}

/** Writes entries in one round; one boolean per entry. */
export function* setMany(what: string, entries: readonly CacheEntry[]): Conversation<boolean[]> {
  return (yield { kind: 'setMany', what, entries }) as boolean[];
}

/** Writes entries in one round through the backend's `leases.store`; the stamp of each copy written, `undefined` where none was. */
export function* storeStamped(what: string, entries: readonly CacheEntry[]): Conversation<(string | undefined)[]> {
  return (yield { kind: 'storeStamped', what, entries }) as (string | undefined)[];
}

/** Reads keys with their stamps in one round, taking the leases asked for (see `FragmentLeases.read`). */
export function* readLeased(
  what: string,
  reads: readonly LeaseRead[],
  ttlSeconds: number,
): Conversation<LeaseAnswer[]> {
  return (yield { kind: 'readLeased', what, reads, ttlSeconds }) as LeaseAnswer[];
}

/**
 * Reads `keys` as `getMany` does and, in the same round (in parallel), `stamped` with
 * their stamps, taking the leases they ask for (see `FragmentLeases.read`).
 */
export function* getStamped(
  what: string,
  keys: readonly string[],
  stamped: readonly LeaseRead[],
  ttlSeconds: number,
): Conversation<{ values: (string | undefined)[]; answers: LeaseAnswer[] }> {
  return (yield { kind: 'getStamped', what, keys, stamped, ttlSeconds }) as {
    values: (string | undefined)[];
    answers: LeaseAnswer[];
  };
}
