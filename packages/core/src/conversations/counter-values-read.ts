import { CacheSweeperError, describeValue } from '../errors';
import type { PageState } from '../page/page-state';
import { isCounterValue } from '../tokens/counter-values';
import type { ConversationContext } from './conversation-context';

/** Records the counters of `keys`, read as `values[offset + i]` in the page's token round `round`; returns the keys found missing. */
export function acceptCounters(
  keys: readonly string[],
  values: readonly (string | undefined)[],
  page: PageState,
  context: ConversationContext,
  round: number,
  offset = 0,
): string[] {
  const missing: string[] = [];
  keys.forEach((key, index) => {
    const value = values[offset + index];
    if (value === undefined) {
      missing.push(key);
    } else if (isCounterValue(value)) {
      page.tokens.set(key, value);
      page.tokenRounds.set(key, round);
    } else {
      page.tokens.set(key, null);
      context.report(
        new CacheSweeperError(
          'tokens',
          `version key "${key}" holds ${describeValue(value)}, not a counter below 2^53; its fragments render uncached`,
        ),
      );
    }
  });
  return missing;
}
