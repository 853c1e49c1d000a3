import { type Conversation, incrMany } from './backend-rounds';

/**
 * Bumps the counters behind `keys` with `incr`, then those of `again` once more, in a
 * round of their own after the first was answered; returns each value a bump returned,
 * with its key, in order (a key of both rounds twice). A missing counter needs nothing:
 * no fragment is reachable through it, since the next read creates it with a fresh random
 * start that differs from every token issued before (a reader that created it between
 * our commit and our `incr` loads its data after creating it, so that data is fresh).
 */
export function* bumpCounters(
  keys: readonly string[],
  again: readonly string[] = [],
): Conversation<[key: string, value: number][]> {
  const bumped: [string, number][] = [];
  const unique = [...new Set(keys)];
  if (unique.length > 0) collect(bumped, unique, yield* incrMany('bump version tokens', unique));
  const second = [...new Set(again)];
  if (second.length > 0) collect(bumped, second, yield* incrMany('bump containing version tokens', second));
  return bumped;
}

function collect(into: [string, number][], keys: readonly string[], values: readonly (number | undefined)[]): void {
  keys.forEach((key, index) => {
    const value = values[index];
    if (value !== undefined) into.push([key, value]);
  });
}
