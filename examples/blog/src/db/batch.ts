/**
 * Batches the loads of one turn into one call, as DataLoader does: the resolver starts
 * every loader of a nesting level in the same turn, so the comments that missed the
 * cache on one page are read with one query instead of one each. One per request.
 */
export function batchLoader<K, V>(
  loadMany: (keys: readonly K[]) => Promise<Map<K, V>>,
): (key: K) => Promise<V | undefined> {
  let pending: { keys: K[]; result: Promise<Map<K, V>> } | undefined;
  return (key) => {
    if (!pending) {
      const keys: K[] = [];
      const result = Promise.resolve().then(() => {
        pending = undefined;
        return loadMany([...new Set(keys)]);
      });
      pending = { keys, result };
    }
    pending.keys.push(key);
    return pending.result.then((values) => values.get(key));
  };
}
