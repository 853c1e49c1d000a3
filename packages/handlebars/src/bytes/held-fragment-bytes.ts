import { createHash } from 'node:crypto';
import { CacheSweeperError, describeValue } from '@cachesweeper/core';
import { COMPONENT } from '../location';
import type { EncodedFragment } from './page-body';
import { type FragmentBytesSource, PageBytes } from './page-bytes';

/** Settings of `HeldFragmentBytes`. */
export interface HeldFragmentBytesOptions {
  /** Most bytes kept for the fragments of recent pages: their UTF-8, plus a byte per character of the cached values they came from. Default: 32 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

class Held implements EncodedFragment {
  readonly bytes: Buffer;
  #digest: Buffer | undefined;

  /** `source`: the cached value the bytes are made from, the same string object on every hit of a local copy. */
  constructor(
    readonly source: string,
    readonly start: number,
    readonly end: number,
  ) {
    this.bytes = Buffer.from(source.slice(start, end));
  }

  /** What holding it costs: its bytes, and the value they were made from (kept to recognise it; often the local copy itself). */
  get size(): number {
    return this.bytes.length + this.source.length;
  }

  get digest(): Buffer {
    this.#digest ??= createHash('sha1').update(this.bytes).digest();
    return this.#digest;
  }
}

/**
 * The UTF-8 bytes of the cached fragments recent pages sent, by key, kept across pages
 * (one per app, or per engine). A fully cached page whose fragments this process holds
 * (its local copies) is then written from bytes encoded once, instead of V8 copying the
 * page into one string and encoding all of it for every response (at 550 KB, most of a
 * server's time per full hit). Bytes are reused only for the same cached value under
 * the same key: a key rendered again, or read again from the backend, is encoded again.
 */
export class HeldFragmentBytes implements FragmentBytesSource {
  readonly #maxBytes: number;
  readonly #held = new Map<string, Held>();
  #bytes = 0;

  /** Checks `options`; throws a CacheSweeperError naming a bad value. */
  constructor(options: HeldFragmentBytesOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheSweeperError(
        COMPONENT,
        `HeldFragmentBytes: options must be an object ({ maxBytes }), got ${describeValue(options)}`,
      );
    }
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new CacheSweeperError(
        COMPONENT,
        `HeldFragmentBytes: maxBytes must be a whole number of bytes >= 0, got ${describeValue(options.maxBytes)}`,
      );
    }
    this.#maxBytes = maxBytes;
  }

  /** A collector for one page's fragments. */
  page(): PageBytes {
    return new PageBytes(this);
  }

  /** Bytes held now (for tests and figures). */
  get size(): number {
    return this.#bytes;
  }

  /**
   * Characters `start` to `end` of `source`, the cached value of `key`, as UTF-8: the bytes
   * held when the same part of the same value was encoded before, else encoded now and kept.
   */
  encoded(key: string | undefined, source: string, start: number, end: number): EncodedFragment {
    if (key === undefined) return new Held(source, start, end);
    const held = this.#held.get(key);
    // The same object on a local copy's hits: a pointer comparison. A value read anew compares its characters.
    if (held !== undefined && held.start === start && held.end === end && held.source === source) {
      this.#held.delete(key);
      this.#held.set(key, held);
      return held;
    }
    const entry = new Held(source, start, end);
    this.#forget(key);
    if (entry.size <= this.#maxBytes) {
      this.#held.set(key, entry);
      this.#bytes += entry.size;
      for (const [oldest, { size }] of this.#held) {
        if (this.#bytes <= this.#maxBytes) break;
        this.#held.delete(oldest);
        this.#bytes -= size;
      }
    }
    return entry;
  }

  #forget(key: string): void {
    const held = this.#held.get(key);
    if (held === undefined) return;
    this.#held.delete(key);
    this.#bytes -= held.size;
  }
}
