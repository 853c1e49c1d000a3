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

/** A page's text cut at its markers. */
interface Cut {
  readonly head: string;
  readonly markers: readonly { readonly index: number; readonly segment: Segment; readonly after: string }[];
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
    return this.#cut(text)?.markers.map(({ index }) => index);
  }

  /** `text` with every marker replaced by its fragment: the page as a string (a copy of all of it, once flattened). */
  expand(text: string): string {
    const { head, markers } = this.#intact(text);
    let out = head;
    for (const { segment, after } of markers) out += segment.source.slice(segment.start, segment.end) + after;
    return out;
  }

  /**
   * The page as the bytes a server writes: `text` encoded, each marker's fragment as its
   * held bytes, not copied (see `PageBody`).
   */
  toBody(text: string): PageBody {
    const { head, markers } = this.#intact(text);
    const texts: Buffer[] = [Buffer.from(head)];
    const fragments: EncodedFragment[] = [];
    for (const { segment, after } of markers) {
      const { key, source, start, end } = segment;
      fragments.push(this.#held.encoded(key, source, start, end));
      texts.push(Buffer.from(after));
    }
    return new PageBody(texts, fragments);
  }

  /** The page's UTF-8 bytes in one Buffer (`toBody(text).toBuffer()`: a copy of every piece). */
  toBuffer(text: string): Buffer {
    return this.toBody(text).toBuffer();
  }

  /** `text` cut at its markers: the text before the first, then each marker's fragment with the text after it. */
  #cut(text: string): Cut | undefined {
    if (this.#segments.length === 0) return { head: text, markers: [] };
    const [head, ...parts] = text.split(this.#prefix);
    const markers: Cut['markers'][number][] = [];
    for (const part of parts) {
      const at = this.#markerAt(part);
      if (at === undefined) return undefined;
      markers.push({ index: at.index, segment: this.#segments[at.index] as Segment, after: part.slice(at.length) });
    }
    return { head: head as string, markers };
  }

  /** `#cut`, refusing text whose markers were damaged: every caller checked them (the layout's check) or made them. */
  #intact(text: string): Cut {
    const cut = this.#cut(text);
    if (cut !== undefined) return cut;
    const part = text
      .split(this.#prefix)
      .slice(1)
      .find((after) => this.#markerAt(after) === undefined);
    throw new CacheSweeperError(
      COMPONENT,
      `PageBytes: a marker of a cached fragment was damaged after the page's layout was checked (${JSON.stringify(part?.slice(0, 24))}…); render with a layout that inserts {{{body}}} as it is`,
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
