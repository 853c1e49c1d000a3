import { LRUCache } from 'lru-cache';
import type { StoredFragment } from '../types';
import { decodeFragment } from './stored-fragment';

/** Most fragment headers remembered; each holds a nested fragment's counter names (a few KiB at most). */
const MAX_HEADERS = 1_000;

/**
 * Decodes stored fragments, remembering the parsed header of each key: a page that
 * nests a hundred fragments is read on every request, and its header (the counters
 * of those fragments) changes only when it is rendered again. A remembered header is
 * reused when the value starts with it, so the same strings come back each time.
 */
export class FragmentDecoder {
  readonly #headers = new LRUCache<string, { readonly header: string; readonly parsed: Omit<StoredFragment, 'html'> }>({
    max: MAX_HEADERS,
  });

  /** The fragment stored under `key` as `value`; `undefined` for a value in no known shape. */
  decode(key: string, value: string): StoredFragment | undefined {
    const known = this.#headers.get(key);
    if (
      known !== undefined &&
      value.length > known.header.length &&
      value.charCodeAt(known.header.length) === 0x0a &&
      value.startsWith(known.header)
    ) {
      return { ...known.parsed, html: value.slice(known.header.length + 1) };
    }
    const stored = decodeFragment(value);
    if (stored !== undefined && stored.nested.length > 0) {
      const header = value.slice(0, value.indexOf('\n'));
      const { html: _html, ...parsed } = stored;
      this.#headers.set(key, { header, parsed });
    }
    return stored;
  }
}
