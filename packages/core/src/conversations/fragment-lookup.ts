import { livesWithin } from '../fragments/lives-within';
import { nestedTokensHold } from '../fragments/stored-fragment';
import type { LocalCopies } from '../lookup/local-copies';
import type { FragmentHint, FragmentHints } from '../lookup/read-ahead-hints';
import { nestedToken, recordsAhead, rowsChangedSince } from '../lookup/rows-changed';
import type { PageState } from '../page/page-state';
import type { FragmentLookup, PlannedFragment } from '../types';
import type { Conversation } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { keyOf, needsRead, pushVersionKeys, readAndMissed } from './fragment-keys';
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
  const hinted = new Map<number, FragmentHint | undefined>();
  const hintOf = (index: number): FragmentHint | undefined => {
    if (hints === undefined) return undefined;
    if (!hinted.has(index)) hinted.set(index, hints.get(planned[index] as PlannedFragment));
    return hinted.get(index);
  };
  // A block whose last rendering here nested no row within its own (an index of article
  // summaries) skips its contents counter: a rendering that nests one without it having
  // been read records the nested rows' own counters instead (see `nestedTokensOf`).
  const readsContents = (index: number) => {
    if ((planned[index] as PlannedFragment).plan.contentsKey === undefined) return false;
    const within = hintOf(index)?.withinCounters;
    return within === undefined || within.size > 0;
  };
  const versionKeys: string[] = [];
  planned.forEach(({ plan }, index) => {
    pushVersionKeys(plan, versionKeys, readsContents(index));
  });
  const ahead = { tokens: [] as string[], fragments: [] as string[], records: [] as string[] };
  const { localCopies } = context;
  // With every token read already (the blocks of a page assembled from its recipe), no token round runs to read ahead in.
  const tokenRound = versionKeys.some((key) => !page.tokens.has(key));
  if (tokenRound) {
    planned.forEach((fragment, index) => {
      const hint = hintOf(index);
      if (hint === undefined) return;
      // A copy held here is checked against the tokens this round reads: its bytes need no read.
      if (hint.lastKey !== undefined && !localCopies?.has(hint.lastKey)) ahead.fragments.push(hint.lastKey);
      // The counters its stored copy records cover every level; before one was read, those of its last rendering.
      if (hint.nestedCounters !== undefined) pushNestedCounters(hint, readsContents(index), ahead.tokens);
      else pushNestedVersionKeys(hint.nested, fragment.plan.contentsKey, ahead.tokens);
      // Should rows within it have changed since its copy, the records of the next bumps name them.
      const { contentsKey } = fragment.plan;
      const since = contentsKey === undefined ? undefined : nestedToken(hint.nestedFrom ?? [], contentsKey);
      if (page.keeping && since !== undefined && readsContents(index)) {
        recordsAhead(contentsKey as string, since, ahead.records);
      }
    });
  }
  yield* readTokens(versionKeys, page, context, ahead, leases);

  /**
   * What a block that may render reads ahead: the blocks it nested last time, and the
   * contents counter its token round skipped, so that rows it now nests within its own
   * (a first comment) are read after it and recorded by it (see `nestedTokensOf`).
   */
  const readAhead = (index: number, into: Set<string>, counters: Set<string>) => {
    const hint = hintOf(index);
    const { contentsKey } = (planned[index] as PlannedFragment).plan;
    // The rows within it that its copy's contents records show unchanged need no read: the copy holds them.
    const changed =
      !page.keeping || contentsKey === undefined || hint?.nestedFrom === undefined
        ? undefined
        : rowsChangedSince(hint.nestedFrom, contentsKey, page);
    const kept =
      changed === undefined
        ? undefined
        : (nested: PlannedFragment) => {
            const { counterKey } = nested.plan;
            return counterKey !== undefined && livesWithin(nested, contentsKey) && !changed.has(counterKey);
          };
    readAheadNested(hint, page, context, into, hints, counters, kept);
    if (contentsKey !== undefined && !page.tokens.has(contentsKey)) counters.add(contentsKey);
  };
  const keys = planned.map((fragment) => keyOf(fragment, page, context));
  if (localCopies !== undefined) serveLocalCopies(keys, page, localCopies);
  const own = new Set<string>();
  const nested = new Set<string>();
  const counters = new Set<string>();
  planned.forEach((fragment, index) => {
    const key = keys[index];
    if (key === undefined) return;
    // With leases, a fragment keyed on a counter this page just created is asked for too:
    // the other processes that read that counter miss the same key.
    const read = leasing === undefined ? needsRead(fragment, key, page) : !page.fragments.has(key);
    if (read) own.add(key);
    // One read ahead in the token round that missed is leased in a round of its own, which reads its blocks.
    else if (leasing !== undefined || !readAndMissed(key, page)) return;
    // Should this block miss, the blocks it nested last time are looked up next: read them now.
    readAhead(index, nested, counters);
  });
  if (own.size > 0 || nested.size > 0 || counters.size > 0) {
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
    const taken = yield* takeLeases(keys, page, context, leasing, readAhead);
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
      const outdated = stored ?? page.outdated.get(key);
      const missed: FragmentLookup =
        outdated === undefined ? { key, html: undefined } : { key, html: undefined, outdated };
      return lease === undefined ? missed : { ...missed, lease };
    }
    return { key, html: stored.html, nested: stored.nested, renderMicros: stored.renderMicros };
  });
}

/**
 * Puts into the page the local copy of each key not read yet. A copy whose nested
 * counters, as this page read them, still hold its tokens is a hit. One that fails them
 * and was read with a lease stamp stands for the stale copy the token round would have
 * read: the lease round replaces it only while that stamp holds (an old stamp wins
 * nothing and the round answers the newer copy). One without a stamp is left for the
 * fragment round to read from the backend (another process may have stored a newer one).
 */
function serveLocalCopies(keys: readonly (string | undefined)[], page: PageState, localCopies: LocalCopies): void {
  for (const key of keys) {
    if (key === undefined || page.fragments.has(key)) continue;
    const copy = localCopies.get(key);
    if (copy === undefined) continue;
    if (nestedTokensHold(copy.stored.nested, page.tokens)) {
      page.fragments.set(key, copy.stored);
    } else if (copy.stamp !== undefined) {
      page.fragments.set(key, copy.stored);
      page.stamps.set(key, copy.stamp);
    }
  }
}

/**
 * Adds the counters a fragment's stored copy records, as its hint remembers them. With
 * its contents counter read in the same round, those of the rows within its row are left
 * to a later round: a copy that records them (rendered while the contents counter could
 * not be read) is then checked in two rounds, and when the fragment renders again it reads
 * them after the contents counter and records that instead. Read with it, they would be
 * recorded again at every rendering, and the page would read them all for good.
 */
function pushNestedCounters(hint: FragmentHint, readsContents: boolean, into: string[]): void {
  const within = readsContents ? hint.withinCounters : undefined;
  for (const counter of hint.nestedCounters ?? []) if (within?.has(counter) !== true) into.push(counter);
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
