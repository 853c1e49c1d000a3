import { createHash } from 'node:crypto';
import { MAX_KEY_BYTES } from '../backend';

/**
 * The rows whose invalidation moved a contents counter to one value. When a row declared
 * `within` another is invalidated, the invalidator bumps that row's counter and the
 * container's contents counter (twice: see `Invalidator`), then writes, for each value a
 * contents bump returned, the row counters of that invalidation under
 * `contentsRecordKey(contents, value)`. A page that holds a rendering of the container
 * made at contents value V and reads W then knows which rows within it changed: those
 * the records of V + 1 … W name. Counters start at random values and only go up, so a
 * value names one bump of one counter's life; a record that is missing (evicted, not
 * written yet, lost with its server, or never written by an older writer) tells nothing,
 * and the reader checks every row within, as it would without records.
 */

/** Most bumps a reader spans with records; a rendering further behind is checked row by row. */
export const MAX_RECORDED_BUMPS = 16;

/**
 * How long a record lives: a day, or the version keys' lifetime when shorter. A record
 * serves the next page of its container, minutes later on a page anyone reads; a page
 * read once a day checks its rows one by one, as without records.
 */
export function recordTtlSeconds(versionTtlSeconds: number): number {
  const DAY = 86_400;
  return versionTtlSeconds > 0 ? Math.min(versionTtlSeconds, DAY) : DAY;
}

/** The key of the record of the bump that moved `contentsKey` to `value`. */
export function contentsRecordKey(contentsKey: string, value: string): string {
  const key = `${contentsKey}!${value}`;
  if (key.length <= MAX_KEY_BYTES) return key;
  // A contents key is at most 250 bytes itself; one near that long is named by its digest.
  return `${createHash('sha256').update(contentsKey).digest('base64url')}:&!${value}`;
}

/** A record's value: the row counters, space-separated (version keys hold no spaces). */
export function encodeContentsRecord(rowKeys: Iterable<string>): string {
  return [...rowKeys].join(' ');
}

/** The row counters a record names; `undefined` for a value that is not a record (missing or written by something else). */
export function decodeContentsRecord(value: string | undefined): readonly string[] | undefined {
  if (value === undefined || value.length === 0) return undefined;
  const rows = value.split(' ');
  return rows.every((row) => row.length > 0) ? rows : undefined;
}

/** The values a counter at `from` passes through on its way to `to`, after `from`; `undefined` when `to` is not ahead of it within `MAX_RECORDED_BUMPS`. */
export function bumpsBetween(from: string, to: string): string[] | undefined {
  const start = Number(from);
  const end = Number(to);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || end - start > MAX_RECORDED_BUMPS) {
    return undefined;
  }
  const values: string[] = [];
  for (let value = start + 1; value <= end; value++) values.push(String(value));
  return values;
}

/**
 * The rows the records of `contentsKey` name between its values `from` and `to` (read
 * into `records`, by record key); `undefined` when one is missing, unread or garbled,
 * or `to` is too far ahead: then nothing is known.
 */
export function rowsChangedBetween(
  contentsKey: string,
  from: string,
  to: string,
  records: ReadonlyMap<string, readonly string[] | undefined>,
): ReadonlySet<string> | undefined {
  const values = bumpsBetween(from, to);
  if (values === undefined) return undefined;
  const rows = new Set<string>();
  for (const value of values) {
    const record = records.get(contentsRecordKey(contentsKey, value));
    if (record === undefined) return undefined;
    for (const row of record) rows.add(row);
  }
  return rows;
}
