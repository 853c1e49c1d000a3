import type { LeaseRead } from '../fragment-leases';
import { nestedTokensHold } from '../fragments/stored-fragment';
import type { LeaseSettings } from '../leases/lease-settings';
import type { PageState } from '../page/page-state';
import type { Conversation } from './backend-rounds';
import type { ConversationContext } from './conversation-context';
import { readFragments } from './fragment-reads';

/**
 * The lease round of a lookup: the level's own fragments that miss although they were
 * read (in the token round, under the key they had last time) have no lease yet. A
 * stale copy (a counter nested in it moved) is replaced by a lease only if its stamp
 * is unchanged, so of the pages that read that copy only one wins; a missing one is
 * leased if still missing. The blocks nested in them are read ahead in the same round
 * (`readAhead(index, into)`), which their own lookup would otherwise make.
 *
 * Fragments read ahead as blocks nested in another are left alone: whoever renders the
 * block around them renders them. Returns whether the round ran.
 */
export function* takeLeases(
  keys: readonly (string | undefined)[],
  page: PageState,
  context: ConversationContext,
  leases: LeaseSettings,
  readAhead: (index: number, into: Set<string>) => void,
): Conversation<boolean> {
  const own: LeaseRead[] = [];
  const nested = new Set<string>();
  keys.forEach((key, index) => {
    if (key === undefined || page.leases.has(key) || page.nestedAhead.has(key) || !page.fragments.has(key)) return;
    if (own.some((read) => read.key === key)) return;
    const stored = page.fragments.get(key);
    if (stored === undefined) {
      own.push({ key, lease: 'if-missing' });
    } else {
      if (nestedTokensHold(stored.nested, page.tokens)) return;
      const stamp = page.stamps.get(key);
      if (stamp === undefined) return;
      own.push({ key, lease: 'replace', stamp });
    }
    readAhead(index, nested);
  });
  if (own.length === 0) return false;
  yield* readFragments('take fragment leases', { own, nested: [...nested] }, page, context, leases);
  return true;
}
