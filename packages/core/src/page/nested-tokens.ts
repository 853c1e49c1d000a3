import type { NestedToken } from '../types';
import type { FragmentSlot } from './fragment-slot';
import type { PageState } from './page-state';

/**
 * The counters of every cached fragment inside a rendering, at any depth, with the
 * tokens this page keyed them by: the children's own counters (as the page read them)
 * and what each child nests. `null` when the children are unknown or one of them
 * could not be keyed: nothing could then tell when the rendering changes.
 *
 * A child declared `within` the rendering's own row (`ownCounter`) is not recorded by
 * its counter: invalidating the child bumps `ownCounter` too (after the child's own
 * bump, and again once it landed), which the rendering's key holds. That holds only
 * when the page read the child's counter in a later round than `ownCounter`: a page
 * that read them the other way round could pair a new row counter with an old child,
 * so then the child's counter is recorded. Its generation is recorded either way (a
 * bulk write to the child's model names no row around it), and so is what it nests.
 */
export function nestedTokensOf(
  children: readonly FragmentSlot[] | null,
  page: Pick<PageState, 'tokens' | 'tokenRounds'>,
  ownCounter?: string,
): readonly NestedToken[] | null {
  if (children === null) return null;
  const { tokens, tokenRounds } = page;
  const ownRound = ownCounter === undefined ? undefined : tokenRounds.get(ownCounter);
  const collected = new Map<string, string>();
  for (const child of children) {
    if (child.nested === null || child.nested === undefined) return null;
    const { generationKey, counterKey } = child.planned.plan;
    const covered =
      ownRound !== undefined &&
      counterKey !== undefined &&
      child.planned.within?.includes(ownCounter as string) === true &&
      (tokenRounds.get(counterKey) ?? 0) > ownRound;
    for (const versionKey of [generationKey, covered ? undefined : counterKey]) {
      if (versionKey === undefined) continue;
      const token = tokens.get(versionKey);
      if (typeof token !== 'string') return null;
      collected.set(versionKey, token);
    }
    for (const [versionKey, token] of child.nested) collected.set(versionKey, token);
  }
  return [...collected];
}
