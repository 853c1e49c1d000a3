import { type Conversation, incrMany } from './backend-rounds';

/**
 * Bumps the counters behind `keys` with `incr`, then those of `again` once more, in a
 * round of their own after the first was answered. A missing counter needs nothing: no
 * fragment is reachable through it, since the next read creates it with a fresh random
 * start that differs from every token issued before (a reader that created it between
 * our commit and our `incr` loads its data after creating it, so that data is fresh).
 */
export function* bumpCounters(keys: readonly string[], again: readonly string[] = []): Conversation<void> {
  const unique = [...new Set(keys)];
  if (unique.length > 0) yield* incrMany('bump version tokens', unique);
  const second = [...new Set(again)];
  if (second.length > 0) yield* incrMany('bump containing version tokens', second);
}
