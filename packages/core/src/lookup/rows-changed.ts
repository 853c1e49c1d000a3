import { bumpsBetween, contentsRecordKey, rowsChangedBetween } from '../invalidation/contents-records';
import type { PageState } from '../page/page-state';
import type { NestedToken } from '../types';

/** How many records a token round reads ahead past a copy's contents token: one invalidation's (it bumps the counter twice). */
const RECORDS_READ_AHEAD = 2;

/** The token `nested` holds for `versionKey`, if it holds one. */
export function nestedToken(nested: readonly NestedToken[], versionKey: string): string | undefined {
  for (const [key, token] of nested) if (key === versionKey) return token;
  return undefined;
}

/** The records to read with a token round for a copy that nested `contentsKey` at `token`: those of the next bumps. */
export function recordsAhead(contentsKey: string, token: string, into: string[]): void {
  const values = bumpsBetween(token, String(Number(token) + RECORDS_READ_AHEAD)) ?? [];
  for (const value of values) into.push(contentsRecordKey(contentsKey, value));
}

/**
 * The row counters within `contentsKey` that changed since a stored copy nesting `nested`
 * was rendered, as this page read the tokens: `undefined` unless the copy nests that
 * contents counter, every other counter it nests holds the token it had, and the
 * records of every bump between are read. The rows not named kept the tokens the copy
 * was rendered with (a row within the container is only ever invalidated with it).
 */
export function rowsChangedSince(
  nested: readonly NestedToken[],
  contentsKey: string,
  page: Pick<PageState, 'tokens' | 'records'>,
): ReadonlySet<string> | undefined {
  let from: string | undefined;
  for (const [key, token] of nested) {
    if (key === contentsKey) from = token;
    else if (page.tokens.get(key) !== token) return undefined;
  }
  const to = page.tokens.get(contentsKey);
  if (from === undefined || typeof to !== 'string') return undefined;
  return rowsChangedBetween(contentsKey, from, to, page.records);
}
