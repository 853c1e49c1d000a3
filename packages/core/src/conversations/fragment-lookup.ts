import { nestedTokensHold } from '../fragments/stored-fragment';
import { completeFragmentKey } from '../keys';
import type { FragmentHints } from '../lookup/read-ahead-hints';
import type { PageState } from '../page/page-state';
import { composeToken } from '../tokens/token-plan';
import type { FragmentLookup, PlannedFragment, TokenPlan } from '../types';
import { type Conversation, getMany } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { decoded, readCounters, readTokens } from './token-reads';

/**
 * Reads tokens, then every fragment in one multi-get; returns one lookup per planned
 * fragment. With `hints`, the token round also reads each fragment under the key it
 * had last time (a hit when its token has not changed: one round in all) and the
 * tokens of the blocks it nested last time; the fragment round then also reads those
 * nested blocks, so when an outer block misses, its inner level needs no round.
 */
export function* lookupFragments(
  planned: readonly PlannedFragment[],
  page: PageState,
  context: ConversationContext,
  hints?: FragmentHints,
): Conversation<FragmentLookup[]> {
  const versionKeys: string[] = [];
  for (const { plan } of planned) pushVersionKeys(plan, versionKeys);
  const hinted = hints === undefined ? [] : planned.map((fragment) => hints.get(fragment));
  const ahead = { tokens: [] as string[], fragments: [] as string[] };
  for (const hint of hinted) {
    if (hint === undefined) continue;
    if (hint.lastKey !== undefined) ahead.fragments.push(hint.lastKey);
    // The counters its stored copy records cover every level; before one was read, those of its last rendering.
    if (hint.nestedCounters !== undefined) for (const counter of hint.nestedCounters) ahead.tokens.push(counter);
    else for (const nested of hint.nested ?? []) pushVersionKeys(nested.plan, ahead.tokens);
  }
  yield* readTokens(versionKeys, page, context, ahead);

  const { namespace } = context;
  const keys = planned.map((fragment) => keyOf(fragment, page, namespace));
  const wanted = new Set<string>();
  const needsRead = (fragment: PlannedFragment, key: string | undefined): key is string =>
    key !== undefined && !page.fragments.has(key) && !isFresh(fragment, page);
  planned.forEach((fragment, index) => {
    const key = keys[index];
    if (!needsRead(fragment, key)) return;
    wanted.add(key);
    // Should this block miss, the blocks it nested last time are looked up next: read them now.
    for (const nested of hinted[index]?.nested ?? []) {
      const nestedKey = keyOf(nested, page, namespace);
      if (needsRead(nested, nestedKey)) wanted.add(nestedKey);
    }
  });
  if (wanted.size > 0) {
    const reading = [...wanted];
    const values = yield* getMany('get fragments', reading);
    reading.forEach((key, index) => {
      page.fragments.set(key, decoded(key, values[index], context));
    });
  }
  // A fragment found is served only while the counters of the fragments nested in it
  // still hold the tokens it was rendered with: read those not read yet.
  const nestedCounters: string[] = [];
  for (const key of keys) {
    const stored = key === undefined ? undefined : page.fragments.get(key);
    for (const [versionKey] of stored?.nested ?? []) nestedCounters.push(versionKey);
  }
  yield* readCounters(nestedCounters, page, context);
  return planned.map((fragment, index) => {
    const key = keys[index];
    if (key === undefined) return { key, html: undefined };
    const stored = page.fragments.get(key);
    hints?.noteLookup(fragment, key, stored?.nested);
    if (stored === undefined || !nestedTokensHold(stored.nested, page.tokens)) return { key, html: undefined };
    return { key, html: stored.html, nested: stored.nested, renderMicros: stored.renderMicros };
  });
}

function pushVersionKeys(plan: TokenPlan, into: string[]): void {
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

/** The fragment's key under the tokens the page read; `undefined` when one is missing or unreadable. */
function keyOf(fragment: PlannedFragment, page: PageState, namespace: string): string | undefined {
  const { plan } = fragment;
  const generation = plan.generationKey === undefined ? undefined : page.tokens.get(plan.generationKey);
  const counter = plan.counterKey === undefined ? undefined : page.tokens.get(plan.counterKey);
  if (generation === null || counter === null) return undefined;
  if (plan.generationKey !== undefined && generation === undefined) return undefined;
  if (plan.counterKey !== undefined && counter === undefined) return undefined;
  return completeFragmentKey(namespace, fragment.quoted, composeToken(plan, generation, counter));
}
