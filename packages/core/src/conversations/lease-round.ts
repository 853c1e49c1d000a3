import type { LeaseRead } from '../fragment-leases';
import type { LeaseSettings } from '../leases/lease-settings';
import type { PageState } from '../page/page-state';
import type { Conversation } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { readAndMissed } from './fragment-keys';
import { readFragments } from './fragment-reads';

/** What a lookup needs to take fleet-wide leases: the settings, and this process's flights. */
export interface Leasing {
  /** The leases' wait, poll and TTL. */
  readonly settings: LeaseSettings;
  /** Whether a rendering of `key`, or a wait for one, runs in this process: a page joins it rather than asking for the lease. */
  runsHere(key: string): boolean;
  /** This page asks for the lease on `key` in a lease round: pages of this process that miss it meanwhile join this page. */
  asking(key: string): void;
}

/**
 * The lease round of a lookup: the level's own fragments that miss although they were
 * read (in the token round, under the key they had last time) have no lease yet. A
 * stale copy (a counter nested in it moved) is replaced by a lease only if its stamp
 * is unchanged, so of the pages that read that copy only one wins; a missing one is
 * leased if still missing. The blocks nested in them are read ahead in the same round
 * (`readAhead(index, into, counters)`: their keys, and the counters of those the block's
 * own key covers), which their own lookup would otherwise make.
 *
 * Fragments read ahead as blocks nested in another are left alone: whoever renders the
 * block around them renders them. So are fragments another page of this process is
 * rendering, waiting for, or asking the lease of: this page joins it, and one page per
 * process makes the round. Returns whether the round ran.
 */
export function* takeLeases(
  keys: readonly (string | undefined)[],
  page: PageState,
  context: ConversationContext,
  leasing: Leasing,
  readAhead: (index: number, into: Set<string>, counters: Set<string>) => void,
): Conversation<boolean> {
  const own: LeaseRead[] = [];
  const nested = new Set<string>();
  const counters = new Set<string>();
  keys.forEach((key, index) => {
    // A hit (the common case) needs no lease: decided before the checks that cost more.
    if (key === undefined || page.leases.has(key) || !readAndMissed(key, page)) return;
    const stored = page.fragments.get(key);
    if (own.some((read) => read.key === key) || leasing.runsHere(key)) return;
    if (stored === undefined) {
      own.push({ key, lease: 'if-missing' });
    } else {
      const stamp = page.stamps.get(key);
      if (stamp === undefined) return;
      own.push({ key, lease: 'replace', stamp });
    }
    readAhead(index, nested, counters);
  });
  if (own.length === 0) return false;
  for (const read of own) leasing.asking(read.key);
  const reads = { own, nested: [...nested], counters: [...counters] };
  yield* readFragments('take fragment leases', reads, page, context, leasing.settings);
  return true;
}
