import { LRUCache } from 'lru-cache';
import { CacheSweeperError, describeValue } from '../errors';
import { nestedTokensHold } from '../fragments/stored-fragment';
import type { StoredFragment } from '../types';

/** Settings of the process-local copies of fragments read from a shared backend (`SweeperOptions.localCopies`). */
export interface LocalCopyOptions {
  /** Most bytes of HTML kept (UTF-16, as V8 holds it: two per character). Default: 32 MiB. */
  readonly maxBytes?: number;
  /**
   * Longest a copy is served after this process read it, in seconds: a block's TTL is
   * overshot by at most this much (a copy is only ever served under the key, and with
   * the nested tokens, it was stored with). Default: 60.
   */
  readonly maxAgeSeconds?: number;
}

/** Checked local copy settings. */
export interface LocalCopySettings {
  readonly maxBytes: number;
  readonly maxAgeSeconds: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_AGE_SECONDS = 60;

/** Checks `SweeperOptions.localCopies`; `undefined` when turned off. Throws a CacheSweeperError naming a bad value. */
export function resolveLocalCopies(options: false | LocalCopyOptions | undefined): LocalCopySettings | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new CacheSweeperError('sweeper', `localCopies must be false or an object, got ${describeValue(options)}`);
  }
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new CacheSweeperError(
      'sweeper',
      `localCopies.maxBytes must be a whole number of bytes >= 1, got ${describeValue(options?.maxBytes)}`,
    );
  }
  const maxAgeSeconds = options?.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (typeof maxAgeSeconds !== 'number' || !(maxAgeSeconds > 0) || !Number.isFinite(maxAgeSeconds)) {
    throw new CacheSweeperError(
      'sweeper',
      `localCopies.maxAgeSeconds must be a number of seconds > 0, got ${describeValue(options?.maxAgeSeconds)}`,
    );
  }
  return { maxBytes, maxAgeSeconds };
}

/**
 * The fragments this process last read from a shared backend, by key. A lookup whose
 * token round shows that a fragment's key and the counters nested in its copy still
 * hold serves the copy without reading the fragment's bytes again: a full hit on a
 * large page then reads its tokens only, whatever the page's size. A copy is served
 * under exactly the checks a copy read from the backend passes (same key, same nested
 * tokens), so it is never staler than what the backend would answer; when its nested
 * tokens no longer hold, the lookup reads the backend as before (another process may
 * have stored a newer copy under the same key).
 */
export class LocalCopies {
  readonly #copies: LRUCache<string, LocalCopy>;
  readonly #maxAgeMs: number;

  constructor({ maxBytes, maxAgeSeconds }: LocalCopySettings) {
    this.#maxAgeMs = maxAgeSeconds * 1000;
    this.#copies = new LRUCache<string, LocalCopy>({
      maxSize: maxBytes,
      maxEntrySize: maxBytes,
      sizeCalculation: ({ stored }) => Math.max(1, stored.html.length * 2 + stored.nested.length * 64),
      ttl: maxAgeSeconds * 1000,
      // Age counts from the read, not from the last time a copy was served.
      updateAgeOnGet: false,
    });
  }

  /** Whether a copy is held under `key` (it may still fail its nested tokens). */
  has(key: string): boolean {
    return this.#copies.has(key);
  }

  /** The copy held under `key`, if any. */
  get(key: string): LocalCopy | undefined {
    return this.#copies.get(key);
  }

  /** The copy held under `key` if every counter nested in it holds its token in `tokens` (what a lookup would serve), else `undefined`. */
  holding(key: string, tokens: ReadonlyMap<string, string | null>): StoredFragment | undefined {
    const copy = this.#copies.get(key);
    return copy !== undefined && nestedTokensHold(copy.stored.nested, tokens) ? copy.stored : undefined;
  }

  /**
   * Keeps what was just read (or written) under `key`, with its lease stamp if it has one
   * (a value in no known shape drops the copy). A fragment with a TTL is kept no longer
   * than the cache keeps it: to its `expiresAt`, if that comes before `maxAgeSeconds`.
   */
  remember(key: string, stored: StoredFragment | undefined, stamp?: string): void {
    if (stored !== undefined) flatten(stored.html);
    const copy = stored === undefined ? undefined : stamp === undefined ? { stored } : { stored, stamp };
    const leftMs = stored?.expiresAt === undefined ? this.#maxAgeMs : stored.expiresAt * 1000 - Date.now();
    if (copy === undefined || leftMs <= 0) this.#copies.delete(key);
    else if (leftMs >= this.#maxAgeMs) this.#copies.set(key, copy);
    else this.#copies.set(key, copy, { ttl: leftMs });
  }
}

/** A fragment as this process last read it, and its lease stamp then (with fleet-wide leases). */
export interface LocalCopy {
  readonly stored: StoredFragment;
  readonly stamp?: string;
}

/**
 * Puts `text` in one piece now. V8 keeps a string built by concatenation (a rendered page)
 * as a tree of its pieces, and the first search through it copies it into one: about 1 ms
 * for a page of 550 KB. A copy is remembered after the page that wrote it was served (or
 * as it is read, already in one piece): done here, the first hit on it does not pay that.
 */
function flatten(text: string): void {
  text.startsWith('\u0000'); // any search flattens the string in place
}
