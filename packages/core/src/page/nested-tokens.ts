import { livesWithin } from '../fragments/lives-within';
import type { NestedToken } from '../types';
import type { FragmentSlot } from './fragment-slot';
import type { PageState } from './page-state';

/**
 * The counters of every cached fragment inside a rendering, at any depth, with the
 * tokens this page keyed them by: the children's own counters (as the page read them)
 * and what each child nests. `null` when the children are unknown or one of them
 * could not be keyed: nothing could then tell when the rendering changes.
 *
 * A child declared `within` the rendering's own row, whose contents counter is
 * `ownContents`, is recorded by that counter instead of its own: invalidating the child
 * bumps `ownContents` too (after the child's own bump, and again once it landed). That
 * holds only when the page read the child's counter in a later round than `ownContents`:
 * a page that read them the other way round could pair a new contents token with an old
 * child, so then the child's counter is recorded. Its generation is recorded either way
 * (a bulk write to the child's model names no row around it), and so is what it nests.
 */
export function nestedTokensOf(
  children: readonly FragmentSlot[] | null,
  page: Pick<PageState, 'tokens' | 'tokenRounds'>,
  ownContents?: string,
): readonly NestedToken[] | null {
  if (children === null) return null;
  const { tokens, tokenRounds } = page;
  // A contents counter that could not be read stands for nothing: the children's counters are recorded.
  const ownRound =
    ownContents === undefined || typeof tokens.get(ownContents) !== 'string' ? undefined : tokenRounds.get(ownContents);
  const collected = new Map<string, string>();
  for (const child of children) {
    if (child.nested === null || child.nested === undefined) return null;
    const { generationKey, counterKey } = child.planned.plan;
    // A child kept from an outdated copy is unchanged since it, as the contents records show.
    const covered =
      ownRound !== undefined &&
      counterKey !== undefined &&
      livesWithin(child.planned, ownContents) &&
      (child.kept?.within === ownContents || (tokenRounds.get(counterKey) ?? 0) > ownRound);
    for (const versionKey of [generationKey, covered ? ownContents : counterKey]) {
      if (versionKey === undefined) continue;
      const token = tokens.get(versionKey);
      if (typeof token !== 'string') return null;
      collected.set(versionKey, token);
    }
    for (const [versionKey, token] of child.nested) collected.set(versionKey, token);
  }
  return [...collected];
}
