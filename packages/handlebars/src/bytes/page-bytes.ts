import { createHash, randomUUID } from 'node:crypto';
import { CacheSweeperError } from '@cachesweeper/core';
import { COMPONENT } from '../location';

/**
 * Fragments shorter than this go into the page's text: encoding and hashing a few KB per
 * response costs less than a marker's checks (measured under load: no gain at 6 KB).
 */
export const MIN_MARKED_LENGTH = 16 * 1024;

const END = '\u0000';

/** A fragment's UTF-8 bytes, and their digest once asked for. */
export interface EncodedFragment {
  readonly bytes: Buffer;
  /** The SHA-1 of the bytes (a page's ETag is made of its pieces' digests), computed once. */
  readonly digest: Buffer;
}

/** What encodes, and keeps, the bytes a page's fragments are written from (`HeldFragmentBytes`). */
export interface FragmentBytesSource {
  /** Characters `start` to `end` of `source`, the cached value of `key`, as UTF-8 (and its digest). */
  encoded(key: string | undefined, source: string, start: number, end: number): EncodedFragment;
}

/** The ETag of a page `toBuffer` wrote, on its Buffer (read by `cachesweeperResponses`). */
export const PAGE_ETAG = Symbol.for('cachesweeper.handlebars.page-etag');

interface Segment {
  readonly key: string | undefined;
  readonly source: string;
  readonly start: number;
  readonly end: number;
}

/**
 * One page's large cached fragments, each standing in the page's text as a marker until
 * `toBuffer` writes the page: its text encoded, each fragment from the bytes its
 * `HeldFragmentBytes` holds. The page's string then stays small (its views and layout
 * trim and splice markers, not 550 KB), and a fully cached page costs a copy of held
 * bytes instead of a flatten and an encoding of the whole page. A marker is made to be
 * damaged by what helpers do to text (escaping, case, whitespace), so a layout that did
 * anything but insert its body as it is is noticed and rendered again with the real body.
 */
export class PageBytes {
  readonly #held: FragmentBytesSource;
  // 122 random bits, drawn at the first marker: neither page data nor another page holds this page's markers.
  #prefix = '';
  readonly #segments: Segment[] = [];

  /** A collector whose fragments' bytes `held` keeps (see `HeldFragmentBytes.page`). */
  constructor(held: FragmentBytesSource) {
    this.#held = held;
  }

  /** How many fragments stand as markers. */
  get count(): number {
    return this.#segments.length;
  }

  /** The marker that stands for the fragment of `key`: characters `start` to `end` of the cached value `source`. */
  marker(key: string | undefined, source: string, start: number, end: number): string {
    if (this.#prefix === '') this.#prefix = `${END}<cachesweeper-bytes \t Aé&"'\`= ${randomUUID()}:`;
    this.#segments.push({ key, source, start, end });
    return `${this.#prefix}${this.#segments.length - 1}${END}`;
  }

  /** Whether `text` holds a marker of this page. */
  holdsMarkers(text: string): boolean {
    return this.#segments.length > 0 && text.includes(this.#prefix);
  }

  /** The markers of `text`, in order, as indices; `undefined` when one is damaged or not this page's. */
  markersIn(text: string): number[] | undefined {
    if (this.#segments.length === 0) return [];
    const parts = text.split(this.#prefix);
    const found: number[] = [];
    for (let index = 1; index < parts.length; index++) {
      const at = this.#markerAt(parts[index] as string);
      if (at === undefined) return undefined;
      found.push(at.index);
    }
    return found;
  }

  /** `text` with every marker replaced by its fragment: the page as a string (a copy of all of it, once flattened). */
  expand(text: string): string {
    if (this.#segments.length === 0) return text;
    const parts = text.split(this.#prefix);
    let out = parts[0] as string;
    for (let index = 1; index < parts.length; index++) {
      const part = parts[index] as string;
      const at = this.#expect(part);
      const { source, start, end } = this.#segments[at.index] as Segment;
      out += source.slice(start, end) + part.slice(at.length);
    }
    return out;
  }

  /**
   * The page's UTF-8 bytes: `text` encoded, each marker's fragment written from its held
   * bytes. The Buffer carries a weak ETag under `PAGE_ETAG`, made of the digests of its
   * pieces (a fragment's digest is held with its bytes), so a server need not hash the
   * whole page: a page rendered the same way gets the same ETag in every process.
   */
  toBuffer(text: string): Buffer {
    const parts = this.#segments.length === 0 ? [text] : text.split(this.#prefix);
    const texts: Buffer[] = [Buffer.from(parts[0] as string)];
    const fragments: EncodedFragment[] = [];
    for (let index = 1; index < parts.length; index++) {
      const part = parts[index] as string;
      const at = this.#expect(part);
      const { key, source, start, end } = this.#segments[at.index] as Segment;
      fragments.push(this.#held.encoded(key, source, start, end));
      texts.push(Buffer.from(part.slice(at.length)));
    }
    const pieces: Buffer[] = [texts[0] as Buffer];
    fragments.forEach((fragment, index) => {
      pieces.push(fragment.bytes, texts[index + 1] as Buffer);
    });
    const page = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    // Hashed when a server asks for it: an app without ETags does not pay for one.
    let etag: string | undefined;
    Object.defineProperty(page, PAGE_ETAG, {
      get: () => {
        etag ??= etagOf(page.length, texts, fragments);
        return etag;
      },
    });
    return page;
  }

  #expect(part: string): { index: number; length: number } {
    const at = this.#markerAt(part);
    if (at !== undefined) return at;
    throw new CacheSweeperError(
      COMPONENT,
      `PageBytes: a marker of a cached fragment was damaged after the page's layout was checked (${JSON.stringify(part.slice(0, 24))}…); render with a layout that inserts {{{body}}} as it is`,
    );
  }

  #markerAt(part: string): { index: number; length: number } | undefined {
    const end = part.indexOf(END);
    if (end < 1 || end > 9) return undefined;
    const digits = part.slice(0, end);
    if (!/^\d+$/.test(digits)) return undefined;
    const index = Number(digits);
    return index < this.#segments.length ? { index, length: end + 1 } : undefined;
  }
}

/**
 * A weak ETag of the page `texts[0] fragments[0] texts[1] …`: its length, and a SHA-1
 * where each fragment's digest stands for its bytes. Every piece goes into the hash with
 * its kind and length, so one input is one page.
 */
function etagOf(length: number, texts: readonly Buffer[], fragments: readonly EncodedFragment[]): string {
  const hash = createHash('sha1');
  texts.forEach((text, index) => {
    hash.update(lengthTagged(TEXT, text.length)).update(text);
    const fragment = fragments[index];
    if (fragment !== undefined) hash.update(lengthTagged(FRAGMENT, fragment.bytes.length)).update(fragment.digest);
  });
  return `W/"${length.toString(16)}-${hash.digest('base64').slice(0, 27)}"`;
}

const TEXT = 1;
const FRAGMENT = 2;

/** A piece's kind in one byte, and its length in bytes in eight: what goes before it in the hashed input. */
function lengthTagged(kind: number, length: number): Buffer {
  const tag = Buffer.alloc(9);
  tag[0] = kind;
  tag.writeBigUInt64BE(BigInt(length), 1);
  return tag;
}
