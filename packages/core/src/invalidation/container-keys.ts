import { CacheSweeperError } from '../errors';
import { generationKey, versionKey } from '../keys';
import type { ModelRegistry } from '../models/model-registry';
import { describeTarget, type ResolvedTarget } from '../targets';
import type { WithinLink } from '../tokens/token-spec';

/**
 * The version keys an invalidation of `target` bumps for the rows it lives within:
 * each containing row's counter, read from the target's attribute. A target that does
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
    if (typeof id === 'number' || typeof id === 'string' || typeof id === 'bigint') {
      keys.push(versionKey(namespace, container, id));
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
