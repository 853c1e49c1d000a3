import type { FragmentLeases } from './fragment-leases';

/**
 * The contract every cache backend implements. Values are strings (rendered HTML,
 * decimal counters); keys are the ASCII keys built by `keys.ts` (≤ 250 bytes, no
 * whitespace or control bytes). A backend rejects its promise on failure: the
 * Sweeper turns every rejection into a miss, so a backend never needs to hide one.
 *
 * A backend whose write failed (a lost `incr`, a node that went away) must not
 * later serve values it held before the failure: an invalidation it missed would
 * otherwise bring stale fragments back. Replaying the counter writes whose outcome
 * is unknown before reads go back to the node repairs it (a bump sent twice costs one
 * miss: tokens never repeat); flushing it is the last resort, since a flush of a
 * shared server costs every process its hits.
 */
export interface CacheBackend {
  /** Short name used in errors and stats, e.g. `memory` or `memcached`. */
  readonly name: string;
  /** Largest value, in bytes of UTF-8, that the backend stores; larger values are cleanly not cached. */
  readonly maxValueBytes: number;
  /** The value stored under `key`, or `undefined`. */
  get(key: string): Promise<string | undefined>;
  /** The values stored under `keys`, in the same order, `undefined` where missing; `[]` answers at once. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /**
   * Stores `value` for `ttlSeconds` (0 = no expiry); resolves `false` when it was not
   * stored (too large), and then the key's old value is gone too, as memcached drops it.
   */
  set(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Stores several values in one round; resolves one boolean per entry, as `set` would. */
  setMany?(entries: readonly CacheEntry[]): Promise<boolean[]>;
  /** Stores `value` only if `key` is absent; resolves `true` if it stored it, `false` if the key existed. */
  add(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Adds `by` to the decimal counter at `key`, keeping its TTL; resolves the new value, or `undefined` if the key is missing. */
  incr(key: string, by: number): Promise<number | undefined>;
  /** Removes `key`; resolves `true` if it was there. */
  delete(key: string): Promise<boolean>;
  /** Drops every entry (tests, and a node that rejoins after missing writes). */
  flush?(): Promise<void>;
  /** Releases connections and timers; the process can exit afterwards. Idempotent. */
  close(): Promise<void>;
  /** Synchronous access, offered by in-process backends so a plain `template(context)` call can use the cache. */
  readonly sync?: SyncCacheBackend;
  /** Fleet-wide leases on missed fragments (one render per missed fragment across processes); see `FragmentLeases`. */
  readonly leases?: FragmentLeases;
  /** Copies of version keys on other servers, for a backend that spreads keys over several; see `KeyPlacement`. */
  readonly placement?: KeyPlacement;
}

/**
 * How a backend that spreads keys over servers keeps copies of version keys, so that a
 * server out of one process's reach costs that process only what that server alone held.
 *
 * - **Generations** (`<namespace>:<Model>:*`) have a copy on every server. Every block of a
 *   model is keyed on its generation: kept on one server, that server being out would make
 *   every block of the model render uncached. A block reads the copy beside its own row's
 *   counter (`copyBeside`).
 * - **Counters** (a row's, a model's) have a copy on one other server. A block reads the
 *   copy `readableCopy` names: the counter itself, unless its server is out of this
 *   process's reach. Created together with the same fresh value and bumped together, the
 *   copies hold the same token, so the block's key is the same whichever was read.
 *
 * Every write of a version key goes to all of its copies (`copiesOf`): a copy that missed a
 * bump is repaired as any counter on a failed server is. Names must depend only on the
 * servers' *names*, so that every process agrees.
 */
export interface KeyPlacement {
  /** Every copy of the version key `key`, itself included (`key` may name any of the copies). */
  copiesOf(key: string): readonly string[];
  /** The copy of the generation key `key` that lives on the server holding `anchor`. */
  copyBeside(key: string, anchor: string): string;
  /** The copy of the counter `key` to read now: `key` unless its server is out of this process's reach and a copy's is not. */
  readableCopy?(key: string): string;
}

/** One value to store with `setMany`. */
export interface CacheEntry {
  /** The key to store under. */
  readonly key: string;
  /** The value to store. */
  readonly value: string;
  /** Lifetime in seconds; 0 = no expiry. */
  readonly ttlSeconds: number;
}

/** The synchronous face of an in-process backend; same semantics as the async methods. */
export interface SyncCacheBackend {
  /** As `CacheBackend.getMany`, synchronously. */
  getMany(keys: readonly string[]): (string | undefined)[];
  /** As `CacheBackend.set`, synchronously. */
  set(key: string, value: string, ttlSeconds: number): boolean;
  /** As `CacheBackend.add`, synchronously. */
  add(key: string, value: string, ttlSeconds: number): boolean;
  /** As `CacheBackend.incr`, synchronously. */
  incr(key: string, by: number): number | undefined;
}

/** Largest TTL memcached takes as a duration; above it, a number is read as a Unix timestamp. */
export const MAX_RELATIVE_TTL_SECONDS = 60 * 60 * 24 * 30;

/** Largest key memcached accepts, in bytes. */
export const MAX_KEY_BYTES = 250;

/** memcached's default item size limit (1 MiB) minus room for the item header and key. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024 - 1024;
