import { CacheSweeperError, describeValue } from '../errors';

/** Options of the fleet-wide leases on missed fragments (`createSweeper({ leases })`). */
export interface LeaseOptions {
  /**
   * Longest a page waits for another process's rendering of a fragment before it renders
   * the fragment itself (the block's deadline), in ms. It bounds the wait, not the winner:
   * long enough for a busy process to render and store, short enough that a page never
   * waits long on a winner that died. Default: 1000.
   */
  readonly waitMs?: number;
  /** Time between two reads of the fragment while a page waits, in ms. Default: 20. */
  readonly pollMs?: number;
  /**
   * Lifetime of a lease whose holder neither stores the fragment nor gives the lease back
   * (its process died), in whole seconds, 2 to 3600. Default: 5.
   */
  readonly ttlSeconds?: number;
}

/** `LeaseOptions` checked, with every default applied. */
export interface LeaseSettings {
  readonly waitMs: number;
  readonly pollMs: number;
  readonly ttlSeconds: number;
}

const DEFAULT_WAIT_MS = 1000;
const DEFAULT_POLL_MS = 20;
const DEFAULT_TTL_SECONDS = 5;
// memcached's clock ticks once a second: a lease of 1 s may end at once.
const MIN_TTL_SECONDS = 2;
const MAX_TTL_SECONDS = 3600;

/** Checks the `leases` option; `undefined` when leases are turned off (`false`). */
export function resolveLeaseSettings(option: unknown): LeaseSettings | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw new CacheSweeperError('sweeper', `leases must be false or an object, got ${describeValue(option)}`);
  }
  const {
    waitMs = DEFAULT_WAIT_MS,
    pollMs = DEFAULT_POLL_MS,
    ttlSeconds = DEFAULT_TTL_SECONDS,
  } = (option ?? {}) as LeaseOptions;
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0) {
    throw new CacheSweeperError('sweeper', `leases.waitMs must be a number of ms >= 0, got ${describeValue(waitMs)}`);
  }
  if (typeof pollMs !== 'number' || !Number.isFinite(pollMs) || pollMs < 1) {
    throw new CacheSweeperError('sweeper', `leases.pollMs must be a number of ms >= 1, got ${describeValue(pollMs)}`);
  }
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS) {
    throw new CacheSweeperError(
      'sweeper',
      `leases.ttlSeconds must be whole seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} (memcached counts TTLs in whole seconds, so 1 may end at once), got ${describeValue(ttlSeconds)}`,
    );
  }
  return { waitMs, pollMs, ttlSeconds };
}
