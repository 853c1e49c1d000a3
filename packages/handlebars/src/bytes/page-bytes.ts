import { randomUUID } from 'node:crypto';
import { CacheSweeperError } from '@cachesweeper/core';
import { COMPONENT } from '../location';
import { type EncodedFragment, PageBody } from './page-body';

/**
 * Fragments shorter than this go into the page's text: encoding and hashing a few KB per
 * response costs about what a marker's checks cost (under load, a 6 KB page showed no gain).
 */
export const MIN_MARKED_LENGTH = 16 * 1024;

const END = '\u0000';

/** What encodes, and keeps, the bytes a page's fragments are written from (`HeldFragmentBytes`). */
export interface FragmentBytesSource {
  /** Characters `start` to `end` of `source`, the cached value of `key`, as UTF-8 (and its digest). */
  encoded(key: string | undefined, source: string, start: number, end: number): EncodedFragment;
}

interface Segment {
  readonly key: string | undefined;
  readonly source: string;
  readonly start: number;
  readonly end: number;
}

/**
 * One page's large cached fragments, each standing in the page's text as a marker until
 * `toBody` makes the page's bytes: its text encoded, each fragment from the bytes its
 * `HeldFragmentBytes` holds. The page's string then stays small (its views and layout
 * trim and splice markers, not 550 KB), and a fully cached page writes held bytes
 * instead of flattening, encoding and hashing the whole page for every response. A marker is made to be
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
   * The page as the bytes a server writes: `text` encoded, each marker's fragment as its
   * held bytes, not copied (see `PageBody`).
   */
  toBody(text: string): PageBody {
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
    return new PageBody(texts, fragments);
  }

  /** The page's UTF-8 bytes in one Buffer (`toBody(text).toBuffer()`: a copy of every piece). */
  toBuffer(text: string): Buffer {
    return this.toBody(text).toBuffer();
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
