/**
 * How our values sit in memcached. A value is its UTF-8 bytes as they are, under the
 * item flags `VALUE_FLAGS` (0x4353, "CS"): the text protocol prefixes every value
 * with its length, so it needs no escaping. The npm client's own `set` puts a
 * backslash before every CR and LF and stores flags 0 (2, 4 and 8 mark its JSON,
 * binary and numbers); such values, written by this backend before it wrote its own
 * commands or by anyone else, are not read as ours: a miss, which re-renders and
 * overwrites them. Counters are the exception: `incr` keeps an item's flags, and a
 * counter the client wrote (decimal digits, which its escaping leaves alone) reads
 * the same either way. A missing counter that cannot be re-created (`add` finds it)
 * would leave its fragments uncached for good.
 */

/** Item flags of every value this backend writes. */
export const VALUE_FLAGS = 0x4353;

const LONGEST_COUNTER = 20; // digits of 2^64 - 1, memcached's largest counter

/** The string stored in `data` under `flags`, or `undefined` when it is not a value we can read as ours. */
export function decodeValue(flags: number, data: Buffer): string | undefined {
  if (flags === VALUE_FLAGS) return data.toString('utf8');
  if (flags === 0 && isCounter(data)) return data.toString('latin1');
  return undefined;
}

function isCounter(data: Buffer): boolean {
  if (data.length === 0 || data.length > LONGEST_COUNTER) return false;
  for (const byte of data) if (byte < 0x30 || byte > 0x39) return false;
  return true;
}
