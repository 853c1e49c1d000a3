import { CacheSweeperError, describeValue, isValidCacheKey } from '@cachesweeper/core';

/**
 * Throws unless `key` is one core builds: 1–250 ASCII bytes, no whitespace, control
 * bytes or `$`. Redis itself takes any bytes; the limit is cachesweeper's, so that a
 * key that works here works on every backend.
 */
export function checkKey(key: unknown, operation: string): string {
  if (typeof key !== 'string' || !isValidCacheKey(key)) {
    throw new CacheSweeperError(
      'redis',
      `${operation}: key ${describeValue(key)} is not a valid cache key (1-250 ASCII bytes, no spaces, control bytes or "$")`,
    );
  }
  return key;
}

/** Checks a TTL in whole seconds; 0 means no expiry. Redis takes any length (no 30-day rule as in memcached). */
export function checkTtl(ttlSeconds: unknown, operation: string): number {
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) {
    throw new CacheSweeperError(
      'redis',
      `${operation}: TTL ${describeValue(ttlSeconds)} must be a whole number of seconds >= 0`,
    );
  }
  return ttlSeconds;
}

/** Throws unless `by` is a whole number in [0, 2^53). */
export function checkIncrement(by: unknown, key: string): number {
  if (typeof by !== 'number' || !Number.isSafeInteger(by) || by < 0) {
    throw new CacheSweeperError('redis', `incr of key "${key}" by ${describeValue(by)}: must be a whole number >= 0`);
  }
  return by;
}

/**
 * Whether `value` is stored: a string whose UTF-8 form is at most `maxValueBytes`
 * bytes and reads back as the same string. A lone surrogate has no UTF-8 form (the
 * client would send U+FFFD, and another string would come back), so it is not
 * stored. Throws when `value` is not a string.
 */
export function isStorable(value: unknown, maxValueBytes: number, operation: string): boolean {
  if (typeof value !== 'string') {
    throw new CacheSweeperError('redis', `${operation}: value ${describeValue(value)} must be a string`);
  }
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return false;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most values need no count.
  return value.length * 3 <= maxValueBytes || Buffer.byteLength(value, 'utf8') <= maxValueBytes;
}

/** Throws unless `list` is an array; names what `operation` takes. */
export function checkArray<T>(list: unknown, operation: string, what: string): readonly T[] {
  if (!Array.isArray(list)) {
    throw new CacheSweeperError('redis', `${operation} takes an array of ${what}, got ${describeValue(list)}`);
  }
  return list as readonly T[];
}
