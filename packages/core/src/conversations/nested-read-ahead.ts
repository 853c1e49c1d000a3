import { livesWithin } from '../fragments/lives-within';
import type { FragmentHint, FragmentHints } from '../lookup/read-ahead-hints';
import type { PageState } from '../page/page-state';
import type { PlannedFragment } from '../types';
import type { ConversationContext } from './conversation-context';
import { type KeyContext, keyOf, needsRead, pushVersionKeys } from './fragment-keys';

/**
 * Adds to `into` the keys of the blocks a fragment nested last time that the page has
 * not read. A block of which this process holds a copy under its current key, whose
 * nested counters hold as the page read them, is put into the page from that copy
 * instead: it is what its own lookup would serve, so its bytes need no read (after a
 * vote, the page's other comments). A block whose counter the page has not read (one
 * the fragment's key covers, so its hit did not read it) is read under the key it had
 * last time, and its counter added to `counters`, to be read in the same round, with
 * the key it has after one more bump: a block whose row did not change is then found,
 * and so is one whose row changed once; only the others need a round of their own.
 * The blocks `kept` names are left out: the fragment's outdated copy holds them unchanged.
 */
export function readAheadNested(
  hint: FragmentHint | undefined,
  page: PageState,
  context: Pick<ConversationContext, 'namespace' | 'knownKeys' | 'localCopies'>,
  into: Set<string>,
  hints?: FragmentHints,
  counters?: Set<string>,
  kept?: (nested: PlannedFragment) => boolean,
): void {
  const { localCopies } = context;
  for (const nested of hint?.nested ?? []) {
    if (kept?.(nested) === true) continue;
    const nestedKey = keyOf(nested, page, context);
    if (needsRead(nested, nestedKey, page)) {
      const held = localCopies?.holding(nestedKey, page.tokens);
      if (held !== undefined) page.fragments.set(nestedKey, held);
      else into.add(nestedKey);
      continue;
    }
    const { counterKey } = nested.plan;
    if (nestedKey !== undefined || counters === undefined || counterKey === undefined || page.tokens.has(counterKey)) {
      continue;
    }
    counters.add(counterKey);
    const hinted = hints?.get(nested);
    for (const guess of [hinted?.lastKey, nextKeyOf(nested, hinted, page, context)]) {
      if (guess === undefined || page.fragments.has(guess)) continue;
      // A copy held here is served by the block's own lookup once its counter shows the guess right.
      if (localCopies?.holding(guess, page.tokens) === undefined) into.add(guess);
    }
  }
}

/**
 * The key a block has once its counter moved one step past `lastCounter`, the value
 * it had when this process last looked it up: one invalidation since then (a vote) is
 * the common case, so reading that key too spares the block a round of its own. Built
 * once per counter value and kept in the hint: after a vote, the page's other blocks
 * guess the same keys as on the page before. A guess built under a generation that has
 * moved since is only a key read in vain: the block's own lookup checks the key it has.
 */
function nextKeyOf(
  fragment: PlannedFragment,
  hint: FragmentHint | undefined,
  page: PageState,
  context: KeyContext,
): string | undefined {
  const lastCounter = hint?.lastCounter;
  if (hint === undefined || lastCounter === undefined) return undefined;
  if (hint.nextKey?.after === lastCounter) return hint.nextKey.key;
  const key = keyOf(fragment, page, context, String(Number(lastCounter) + 1));
  if (key !== undefined) hint.nextKey = { after: lastCounter, key };
  return key;
}

/**
 * Adds the version keys of the blocks a fragment nested last time: their generations,
 * and the counters of those not declared within the fragment's own row (whose contents
 * counter is `contentsKey`). Those within it are left out: its stored copy does not
 * record them, and a page must read them after the row's contents counter, never in the
 * same round (see `nestedTokensOf`).
 */
export function pushNestedVersionKeys(
  nested: readonly PlannedFragment[] | undefined,
  contentsKey: string | undefined,
  into: string[],
): void {
  for (const fragment of nested ?? []) {
    if (!livesWithin(fragment, contentsKey)) pushVersionKeys(fragment.plan, into);
    else if (fragment.plan.generationKey !== undefined) into.push(fragment.plan.generationKey);
  }
}
