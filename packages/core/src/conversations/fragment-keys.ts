import { completeFragmentKey } from '../keys';
import type { PageState } from '../page/page-state';
import { composeToken } from '../tokens/token-plan';
import type { PlannedFragment, TokenPlan } from '../types';

/** Whether a lookup must read `key`: it is known, not read yet, and not keyed on a counter this page just created. */
export function needsRead(fragment: PlannedFragment, key: string | undefined, page: PageState): key is string {
  return key !== undefined && !page.fragments.has(key) && !isFresh(fragment, page);
}

/** Adds the generation and counter keys of `plan`. */
export function pushVersionKeys(plan: TokenPlan, into: string[]): void {
  if (plan.generationKey !== undefined) into.push(plan.generationKey);
  if (plan.counterKey !== undefined) into.push(plan.counterKey);
}

/** A fragment keyed on a counter this page just created cannot be stored yet: no need to ask. */
function isFresh(fragment: PlannedFragment, page: PageState): boolean {
  const { counterKey, generationKey } = fragment.plan;
  return (
    (counterKey !== undefined && page.created.has(counterKey)) ||
    (generationKey !== undefined && page.created.has(generationKey))
  );
}

/**
 * The fragment's key under the tokens the page read; `undefined` when one is missing or
 * unreadable. `counterGuess` stands in for the counter the page has not read (a read-ahead guess).
 */
export function keyOf(
  fragment: PlannedFragment,
  page: PageState,
  namespace: string,
  counterGuess?: string,
): string | undefined {
  if (counterGuess === undefined) {
    const known = page.keys.get(fragment);
    if (known !== undefined) return known;
  }
  const { plan } = fragment;
  const generation = plan.generationKey === undefined ? undefined : page.tokens.get(plan.generationKey);
  const counter = plan.counterKey === undefined ? undefined : (counterGuess ?? page.tokens.get(plan.counterKey));
  if (generation === null || counter === null) return undefined;
  if (plan.generationKey !== undefined && generation === undefined) return undefined;
  if (plan.counterKey !== undefined && counter === undefined) return undefined;
  const key = completeFragmentKey(namespace, fragment.quoted, composeToken(plan, generation, counter));
  if (counterGuess === undefined) page.keys.set(fragment, key);
  return key;
}
