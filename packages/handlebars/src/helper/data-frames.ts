/** A Handlebars data frame: `@index`, `@key`, `@root`, … with `_parent` pointing at the enclosing frame. */
export type DataFrame = Record<string, unknown> & { _parent?: unknown };

/**
 * Copies a data frame and every frame above it. `#each` keeps one frame per loop and
 * rewrites `@index`/`@key`/`@first`/`@last` in it on every iteration, so a block run
 * after the loop finished must get a copy taken while its iteration was current,
 * including the enclosing loops' frames that `@../index` reads. (A plain
 * `createFrame` copy is not enough: it adds a level, so `@../index` would read the
 * current loop's index.)
 */
export function snapshotFrame(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  const copy: DataFrame = { ...(data as DataFrame) };
  if ('_parent' in copy) copy._parent = snapshotFrame(copy._parent);
  return copy;
}
