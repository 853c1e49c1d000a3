import { nestedTokensHold } from '../fragments/stored-fragment';
import type { FragmentHints } from '../lookup/read-ahead-hints';
import type { PageState } from '../page/page-state';
import type { FragmentLookup, PlannedFragment } from '../types';
import type { Conversation } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { keyOf, needsRead, pushVersionKeys } from './fragment-keys';
import { type FragmentReads, readFragments } from './fragment-reads';
import { type Leasing, takeLeases } from './lease-round';
import { pushNestedVersionKeys, readAheadNested } from './nested-read-ahead';
import { readCounters, readTokens } from './token-reads';

/**
 * Reads tokens, then every fragment in one multi-get; returns one lookup per planned
 * fragment. With `hints`, the token round also reads each fragment under the key it
 * had last time (a hit when its token has not changed: one round in all) and the
 * tokens of the blocks it nested last time; the fragment round then also reads those
 * nested blocks, so when an outer block misses, its inner level needs no round.
 *
 * With fleet-wide `leasing`, the fragment round takes the lease on each of the level's
 * own fragments it finds missing (unless another page of this process renders it); a
 * fragment that misses after it was read in the token round (stale, or gone) is
 * leased in one more round, which also reads ahead the blocks nested in it — the
 * round its inner level would have made anyway (see `takeLeases`).
 */
export function* lookupFragments(
  planned: readonly PlannedFragment[],
  page: PageState,
  context: ConversationContext,
  hints?: FragmentHints,
  leasing?: Leasing,
): Conversation<FragmentLookup[]> {
  const leases = leasing?.settings;
  const versionKeys: string[] = [];
  for (const { plan } of planned) pushVersionKeys(plan, versionKeys);
  const hinted = hints === undefined ? [] : planned.map((fragment) => hints.get(fragment));
  const ahead = { tokens: [] as string[], fragments: [] as string[] };
  planned.forEach((fragment, index) => {
    const hint = hinted[index];
    if (hint === undefined) return;
    if (hint.lastKey !== undefined) ahead.fragments.push(hint.lastKey);
    // The counters its stored copy records cover every level; before one was read, those of its last rendering.
    if (hint.nestedCounters !== undefined) for (const counter of hint.nestedCounters) ahead.tokens.push(counter);
    else pushNestedVersionKeys(hint.nested, fragment.plan.counterKey, ahead.tokens);
  });
  yield* readTokens(versionKeys, page, context, ahead, leases);

  const { namespace } = context;
  const keys = planned.map((fragment) => keyOf(fragment, page, namespace));
  const own = new Set<string>();
  const nested = new Set<string>();
  const counters = new Set<string>();
  planned.forEach((fragment, index) => {
    const key = keys[index];
    // With leases, a fragment keyed on a counter this page just created is asked for too:
    // the other processes that read that counter miss the same key.
    const read = leasing === undefined ? needsRead(fragment, key, page) : key !== undefined && !page.fragments.has(key);
    if (!read || key === undefined) return;
    own.add(key);
    // Should this block miss, the blocks it nested last time are looked up next: read them now.
    readAheadNested(hinted[index], page, namespace, nested, hints, counters);
  });
  if (own.size > 0) {
    const reads: FragmentReads = {
      own: [...own].map((key) =>
        leasing === undefined || leasing.runsHere(key) ? { key } : { key, lease: 'if-missing' as const },
      ),
      nested: [...nested],
      counters: [...counters],
    };
    yield* readFragments('get fragments', reads, page, context, leases);
  }
  // A fragment found is served only while the counters of the fragments nested in it
  // still hold the tokens it was rendered with: read those not read yet.
  yield* readNestedCounters(keys, page, context);
  if (leasing !== undefined) {
    const taken = yield* takeLeases(keys, page, context, leasing, (index, into) =>
      readAheadNested(hinted[index], page, namespace, into),
    );
    if (taken) yield* readNestedCounters(keys, page, context);
  }
  return planned.map((fragment, index) => {
    const key = keys[index];
    if (key === undefined) return { key, html: undefined };
    const stored = page.fragments.get(key);
    const counter = fragment.plan.counterKey === undefined ? undefined : page.tokens.get(fragment.plan.counterKey);
    hints?.noteLookup(fragment, key, stored?.nested, counter ?? undefined);
    if (stored === undefined || !nestedTokensHold(stored.nested, page.tokens)) {
      const lease = page.leases.get(key);
      return lease === undefined ? { key, html: undefined } : { key, html: undefined, lease };
    }
    return { key, html: stored.html, nested: stored.nested, renderMicros: stored.renderMicros };
  });
}

/** Reads the counters nested in the stored copies of `keys` that the page has not read yet. */
function* readNestedCounters(
  keys: readonly (string | undefined)[],
  page: PageState,
  context: ConversationContext,
): Conversation<void> {
  const nestedCounters: string[] = [];
  for (const key of keys) {
    const stored = key === undefined ? undefined : page.fragments.get(key);
    for (const [versionKey] of stored?.nested ?? []) nestedCounters.push(versionKey);
  }
  yield* readCounters(nestedCounters, page, context);
}
