import { CacheSweeperError } from '../errors';
import { contentsKey, generationKey } from '../keys';
import { describeTarget, type ResolvedTarget } from '../targets';
import type { WithinLink } from '../tokens/token-spec';
import type { ModelRegistry } from './model-registry';
import { isRowId } from './row-id';

/**
 * The contents counters of the rows `target` lives within, for the links whose attribute
 * it holds (a target without it is simply not known to be within: its counter is recorded).
 */
export function containerContents(namespace: string, target: ResolvedTarget, within: readonly WithinLink[]): string[] {
  const counters: string[] = [];
  for (const [container, attribute] of within) {
    const id = target.attribute(attribute);
    if (isRowId(id)) counters.push(contentsKey(namespace, container, id));
  }
  return counters;
}

/**
 * The version keys an invalidation of `target` bumps for the rows it lives within:
 * each containing row's contents counter, read from the target's attribute (its own
 * counter stays: the blocks of that row assemble again around the changed one). A target that does
 * not hold the attribute (a bare `{ model, id }` reference) cannot name its row, so
 * every row of that model is invalidated through its generation; without one, that
 * is an error, since skipping the bump would leave blocks of that row stale.
 */
export function containerKeysOf(
  namespace: string,
  target: ResolvedTarget,
  within: readonly WithinLink[],
  models: ModelRegistry,
): string[] {
  const keys: string[] = [];
  for (const [container, attribute] of within) {
    const id = target.attribute(attribute);
    if (id === null) continue; // lives within no row of that model
    if (isRowId(id)) {
      keys.push(contentsKey(namespace, container, id));
    } else if (id === undefined && models.specOf(container).generation) {
      keys.push(generationKey(namespace, container));
    } else {
      throw new CacheSweeperError(
        'sweeper',
        `invalidate(${describeTarget(target)}): ${target.model} is declared within ${container} by "${attribute}", which the target ${id === undefined ? 'does not hold' : `holds as ${typeof id}`}; pass the row (or { model, id, ${attribute} }) so its ${container} is invalidated too, or declare ${container} with { generation: true } to invalidate every ${container} instead`,
      );
    }
  }
  return keys;
}
