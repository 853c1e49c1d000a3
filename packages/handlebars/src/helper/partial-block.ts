/** Data key under which partial blocks pass the digests of their content down to the partial they call. */
export const PARTIAL_BLOCK_KEY = '__cachesweeperPartialBlock';

/**
 * Stands around a partial block (`{{#> card}}…{{/card}}`): the content between the
 * tags is the card's `@partial-block`, so a cached block inside the card that
 * renders it must be keyed by it. Passes the content's digest down in a copy of the
 * data frame (same depth, so `@../index` is unchanged).
 */
export function partialBlockHelper(
  this: unknown,
  digest: string,
  options: { fn(context: unknown, options?: { data?: unknown }): string; data?: Record<string, unknown> },
): string {
  const data = options.data;
  if (data === undefined || data === null) return options.fn(this);
  const outer = data[PARTIAL_BLOCK_KEY];
  return options.fn(this, {
    data: { ...data, [PARTIAL_BLOCK_KEY]: outer === undefined ? digest : `${outer}|${digest}` },
  });
}

/** The partial-block digests a block sits under, or `''`. */
export function partialBlockDigest(data: unknown): string {
  if (data === null || typeof data !== 'object') return '';
  const value = (data as Record<string, unknown>)[PARTIAL_BLOCK_KEY];
  return typeof value === 'string' ? value : '';
}
