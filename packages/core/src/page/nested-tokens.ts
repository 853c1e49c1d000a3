import type { NestedToken } from '../types';
import type { FragmentSlot } from './fragment-slot';

/**
 * The counters of every cached fragment inside a rendering, at any depth, with the
 * tokens this page keyed them by: the children's own counters (as the page read them)
 * and what each child nests. `null` when the children are unknown or one of them
 * could not be keyed: nothing could then tell when the rendering changes.
 */
export function nestedTokensOf(
  children: readonly FragmentSlot[] | null,
  tokens: ReadonlyMap<string, string | null>,
): readonly NestedToken[] | null {
  if (children === null) return null;
  const collected = new Map<string, string>();
  for (const child of children) {
    if (child.nested === null || child.nested === undefined) return null;
    const { generationKey, counterKey } = child.planned.plan;
    for (const versionKey of [generationKey, counterKey]) {
      if (versionKey === undefined) continue;
      const token = tokens.get(versionKey);
      if (typeof token !== 'string') return null;
      collected.set(versionKey, token);
    }
    for (const [versionKey, token] of child.nested) collected.set(versionKey, token);
  }
  return [...collected];
}
