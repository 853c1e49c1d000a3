/**
 * The optional capability of a `CacheBackend` that makes single flight fleet-wide:
 * of all the processes that miss one fragment, one wins the right to render it
 * and the others wait for what it stores. memcached ≥ 1.6 offers the primitive
 * (its meta commands: `mg` with vivify-on-miss and the win flags, CAS, `md` with a
 * compare-CAS), as Facebook's memcache leases (NSDI'13, §3.2.1) did. A backend
 * without it (the in-process memory backend) keeps single flight per process.
 * This file imports nothing, so the contract can be used everywhere.
 */

/**
 * One key of a leased read: read it with its stamp, and optionally try to take the
 * lease on it. `if-missing`: when the key is absent, create a lease in its place
 * (the caller that creates it wins). `replace`: the caller read a copy it may not
 * serve (a counter nested in it moved); delete that copy only if its stamp is still
 * `stamp`, then take the lease as `if-missing` does — of all the callers that read
 * the same copy, only one wins.
 */
export type LeaseRead =
  | { readonly key: string; readonly lease?: undefined }
  | { readonly key: string; readonly lease: 'if-missing' }
  | { readonly key: string; readonly lease: 'replace'; readonly stamp: string };

/** What a leased read found under one key. */
export type LeaseAnswer =
  /** A value, and the stamp of this copy of it (memcached's CAS: it changes with every write of the key). */
  | { readonly kind: 'value'; readonly value: string; readonly stamp: string }
  /** Nothing (or nothing readable), and no lease was asked for or could be created. */
  | { readonly kind: 'missing' }
  /** This caller holds the lease: it renders and stores the key, or releases the lease with this stamp. */
  | { readonly kind: 'won'; readonly stamp: string }
  /** Another caller holds the lease: it is rendering the key. */
  | { readonly kind: 'taken' };

/**
 * Fleet-wide leases on missed fragments. A lease is a placeholder stored under the
 * fragment's own key: every read of the key sees it as missing, a `set` of the key
 * replaces it (so the winner's store ends it), and it expires by itself after the
 * TTL given when it was taken (a winner that died blocks nobody longer).
 */
export interface FragmentLeases {
  /**
   * Reads `reads` in one round trip (one batch per server), in order: every key
   * with its stamp; keys with a `lease` also try to take it, with `ttlSeconds` as
   * the lease's lifetime. Commands on one key run in the order given. `[]` answers at once.
   */
  read(reads: readonly LeaseRead[], ttlSeconds: number): Promise<LeaseAnswer[]>;
  /** Gives a lease back at once (its `won` stamp), so the next reader wins it; resolves whether it was still held. */
  release(key: string, stamp: string): Promise<boolean>;
  /**
   * Optional: writes `entries` as `set` does, in one round, and answers the stamp of
   * each copy written (`undefined` where it was not stored). A process that keeps
   * what it wrote can then replace that copy by its stamp, as it replaces a copy it
   * read, without reading its bytes back first. A server that is down or fails makes
   * the call reject, but only once the entries of every other server were sent.
   */
  store?(entries: readonly StampedEntry[]): Promise<(string | undefined)[]>;
}

/** An entry of `FragmentLeases.store`: a key, its value, and its TTL in seconds (0: none). */
export interface StampedEntry {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}
