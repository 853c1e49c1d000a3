import type { PlannedFragment } from './flows';
import type { NestedToken } from './fragment-value';
import type { SweeperSession } from './session';

/** The counters of the fragments a render nests, with their tokens; `complete` turns false when one had no token. */
export interface NestedCollector {
  readonly tokens: Map<string, string>;
  complete: boolean;
}

/** Adds a nested fragment's own counters (as `session` read them) and those nested in it. */
export function collectNested(
  into: NestedCollector,
  planned: PlannedFragment,
  session: SweeperSession,
  nested: readonly NestedToken[],
): void {
  for (const versionKey of [planned.plan.generationKey, planned.plan.counterKey]) {
    if (versionKey === undefined) continue;
    const token = session.tokens.get(versionKey);
    if (typeof token === 'string') into.tokens.set(versionKey, token);
    else into.complete = false;
  }
  for (const [versionKey, token] of nested) into.tokens.set(versionKey, token);
}
