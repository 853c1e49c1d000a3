import { nestedTokensHold } from '../fragments/stored-fragment';
import { completeFragmentKey } from '../keys';
import type { PageState } from '../page/page-state';
import { composeToken } from '../tokens/token-plan';
import type { PlannedFragment, TokenPlan } from '../types';
import type { ConversationContext } from './conversation-context';

/** Whether a lookup must read `key`: it is known, not read yet, and not keyed on a counter this page just created. */
export function needsRead(fragment: PlannedFragment, key: string | undefined, page: PageState): key is string {
  return key !== undefined && !page.fragments.has(key) && !isFresh(fragment, page);
}

/**
 * Whether the page read `key` as one of a level's own fragments (not a block read ahead
 * inside another, which the block around it covers) and it misses: gone, or stale.
 */
export function readAndMissed(key: string, page: PageState): boolean {
  if (!page.fragments.has(key) || page.nestedAhead.has(key)) return false;
  const stored = page.fragments.get(key);
  return stored === undefined || !nestedTokensHold(stored.nested, page.tokens);
}

/**
 * Adds the generation and counter keys of `plan`, and its contents counter (read with
 * them, though not part of the key) unless `withContents` is false: a block whose last
 * rendering nested nothing within its row records no contents token.
 */
export function pushVersionKeys(plan: TokenPlan, into: string[], withContents = true): void {
  if (plan.generationKey !== undefined) into.push(plan.generationKey);
  if (plan.counterKey !== undefined) into.push(plan.counterKey);
  if (plan.contentsKey !== undefined && withContents) into.push(plan.contentsKey);
}

/** A fragment keyed on a counter this page just created cannot be stored yet: no need to ask. */
function isFresh(fragment: PlannedFragment, page: PageState): boolean {
  const { counterKey, generationKey } = fragment.plan;
  return (
    (counterKey !== undefined && page.created.has(counterKey)) ||
    (generationKey !== undefined && page.created.has(generationKey))
  );
}

/** What building a fragment's key needs from the sweeper. */
export type KeyContext = Pick<ConversationContext, 'namespace' | 'knownKeys'>;

/**
 * The fragment's key under the tokens the page read; `undefined` when one is missing or
 * unreadable. `counterGuess` stands in for the counter the page has not read (a read-ahead guess).
 * A page builds each key once; a block whose token has not moved since the process last
 * looked it up (a recipe's blocks, a page's blocks on a full hit) gets the very string it
 * had, whose hash the maps it is looked up in have computed already.
 */
export function keyOf(
  fragment: PlannedFragment,
  page: PageState,
  context: KeyContext,
  counterGuess?: string,
): string | undefined {
  if (counterGuess === undefined) {
    const built = page.keys.get(fragment);
    if (built !== undefined) return built;
  }
  const { plan } = fragment;
  const generation = plan.generationKey === undefined ? undefined : page.tokens.get(plan.generationKey);
  const counter = plan.counterKey === undefined ? undefined : (counterGuess ?? page.tokens.get(plan.counterKey));
  if (generation === null || counter === null) return undefined;
  if (plan.generationKey !== undefined && generation === undefined) return undefined;
  if (plan.counterKey !== undefined && counter === undefined) return undefined;
  const token = composeToken(plan, generation, counter);
  if (counterGuess !== undefined) return completeFragmentKey(context.namespace, fragment.quoted, token);
  const known = context.knownKeys?.get(fragment);
  if (known?.token === token) {
    page.keys.set(fragment, known.key);
    return known.key;
  }
  const key = completeFragmentKey(context.namespace, fragment.quoted, token);
  page.keys.set(fragment, key);
  context.knownKeys?.set(fragment, { token, key });
  return key;
}
