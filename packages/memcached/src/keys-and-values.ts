import { CacheSweeperError, describeValue, isValidCacheKey, MAX_RELATIVE_TTL_SECONDS } from '@cachesweeper/core';

/**
 * Throws unless the server would accept `key` and the client would send it as it
 * is: 1–250 ASCII bytes, no whitespace or control bytes, and no `$` — for `incr`
 * and `delete` the client puts the key back into its command with `String.replace`,
 * which reads `$&`, `$'` and `$$` as patterns and would send (and write!) a
 * different key. Refused for every operation, so that every one agrees on a key.
 */
export function checkKey(key: unknown, operation: string): string {
  // One scan for the keys that pass (every key of every page); the reason is worked out only for those that fail.
  if (typeof key === 'string' && isValidCacheKey(key)) return key;
  if (typeof key === 'string' && key.includes('$') && isValidCacheKey(key.replaceAll('$', '_'))) {
    throw new CacheSweeperError(
      'memcached',
      `${operation}: key ${describeValue(key)} contains "$", which the npm memcached client rewrites in its command line`,
    );
  }
  throw new CacheSweeperError(
    'memcached',
    `${operation}: key ${describeValue(key)} is not a valid cache key (1-250 ASCII bytes, no spaces or control bytes)`,
  );
}

/**
 * Checks a TTL and clamps it to 30 days: memcached reads a number above 30 days as
 * a Unix timestamp, so a 31-day TTL would be a date in 1970 and expire at once.
 * Clamping (rather than converting to a timestamp) does not depend on the clocks
 * of the app and the server agreeing; a shorter life only means an earlier miss.
 */
export function checkTtl(ttlSeconds: unknown, operation: string): number {
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) {
    throw new CacheSweeperError(
      'memcached',
      `${operation}: TTL ${describeValue(ttlSeconds)} must be a whole number of seconds >= 0`,
    );
  }
  return Math.min(ttlSeconds, MAX_RELATIVE_TTL_SECONDS);
}

/** Throws unless `by` is a whole number memcached can add (0 ≤ by < 2^53). */
export function checkIncrement(by: unknown, key: string): number {
  if (typeof by !== 'number' || !Number.isSafeInteger(by) || by < 0) {
    throw new CacheSweeperError(
      'memcached',
      `incr of key "${key}" by ${describeValue(by)}: must be a whole number >= 0`,
    );
  }
  return by;
}

/**
 * Whether `value` can be stored and read back byte for byte within `maxValueBytes`
 * bytes of UTF-8 (values are sent as they are, length-prefixed: see
 * `value-encoding.ts`). A string with a lone surrogate has no UTF-8 form (it would
 * come back as U+FFFD), so it is not stored at all. Throws when `value` is not a string.
 */
export function isStorable(value: unknown, maxValueBytes: number, operation: string): boolean {
  if (typeof value !== 'string') {
    throw new CacheSweeperError('memcached', `${operation}: value ${describeValue(value)} must be a string`);
  }
  if (!isWellFormed(value)) return false;
  // Cheap bound first: a UTF-16 unit is at most 3 bytes of UTF-8.
  if (value.length * 3 <= maxValueBytes) return true;
  return Buffer.byteLength(value, 'utf8') <= maxValueBytes;
}

function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Throws unless `stamp` is a CAS as memcached gives it (1–20 decimal digits): it goes into a command line. */
export function checkStamp(stamp: unknown, operation: string): string {
  if (typeof stamp !== 'string' || !/^\d{1,20}$/.test(stamp)) {
    throw new CacheSweeperError(
      'memcached',
      `${operation}: stamp ${describeValue(stamp)} is not one this backend gave (1-20 decimal digits)`,
    );
  }
  return stamp;
}

/** Checks a lease's TTL: whole seconds ≥ 1 (0 would be a lease that never expires), clamped to 30 days. */
export function checkLeaseTtl(ttlSeconds: unknown, operation: string): number {
  const ttl = checkTtl(ttlSeconds, operation);
  if (ttl < 1) {
    throw new CacheSweeperError(
      'memcached',
      `${operation}: a lease TTL of 0 would never expire; give 1 second or more`,
    );
  }
  return ttl;
}

/** An entry of a write of several, checked: its TTL clamped, and whether its value can be stored. */
export interface CheckedEntry {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
  readonly storable: boolean;
}

/**
 * Checks every entry of a write of several before any of it reaches a server: throws on
 * a list that is not an array, a bad key, TTL or value (see `checkKey`, `checkTtl`,
 * `isStorable`). A value too large is not an error: `storable` says so.
 */
export function checkEntries(entries: unknown, maxValueBytes: number, operation: string): CheckedEntry[] {
  if (!Array.isArray(entries)) {
    throw new CacheSweeperError('memcached', `${operation} takes an array of entries, got ${describeValue(entries)}`);
  }
  return entries.map((entry: { key?: unknown; value?: unknown; ttlSeconds?: unknown } | null | undefined) => {
    const key = checkKey(entry?.key, operation);
    const ttlSeconds = checkTtl(entry?.ttlSeconds, operation);
    const storable = isStorable(entry?.value, maxValueBytes, operation);
    return { key, value: entry?.value as string, ttlSeconds, storable };
  });
}
