import { randomInt } from 'node:crypto';

const COUNTER_BASE = 2 ** 52;

/**
 * A fresh start value for a counter that is missing (never created, evicted,
 * flushed, or lost in a restart): uniformly random in [2^52, 2^52 + 2^51).
 *
 * Random rather than time-based on purpose: a time-based start (ms × 1000 + r)
 * repeats a token when a counter is bumped and then evicted and re-created within
 * the same millisecond, which a busy LRU does. A random 51-bit start repeats one of
 * k earlier tokens with probability about k / 2^51, and leaves 2^51 bumps of
 * headroom below 2^53, so counters stay exact JavaScript integers.
 */
export function freshCounterStart(): number {
  return COUNTER_BASE + randomInt(0, 2 ** 25) * 2 ** 26 + randomInt(0, 2 ** 26);
}

/** 2^53 in decimal: 16 digits. */
const COUNTER_LIMIT_TEXT = String(2 ** 53);

/** Checks a counter value read from the cache: a decimal integer below 2^53. */
export function isCounterValue(value: string): boolean {
  // Read for every token of every page: a loop of char codes, no regex, no number parsing.
  const { length } = value;
  if (length === 0 || length > COUNTER_LIMIT_TEXT.length) return false;
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  // Digit strings of one length compare as their numbers do.
  return length < COUNTER_LIMIT_TEXT.length || value < COUNTER_LIMIT_TEXT;
}
