import { createHash } from 'node:crypto';
import { CacheSweeperError } from '@cachesweeper/core';
import { COMPONENT } from '../location';

/** A fragment's UTF-8 bytes, and their digest once asked for. */
export interface EncodedFragment {
  readonly bytes: Buffer;
  /** The SHA-1 of the bytes (a page's ETag is made of its pieces' digests), computed once. */
  readonly digest: Buffer;
}

/**
 * A rendered page as the bytes a server writes: its text's pieces, encoded, with the
 * held bytes of its large cached fragments between them, not copied. `sendPage` writes
 * the pieces one after the other (no 550 KB copy per response), with a weak ETag made of
 * the page's length and its pieces' digests (a fragment's is held with its bytes), so
 * the whole page is never hashed either; a page rendered the same way gets the same
 * ETag in every process.
 */
export class PageBody {
  /** The pieces, in order. */
  readonly pieces: readonly Buffer[];
  /** Their total length in bytes. */
  readonly length: number;
  readonly #texts: readonly Buffer[];
  readonly #fragments: readonly EncodedFragment[];
  #etag: string | undefined;

  /** The page `texts[0] fragments[0] texts[1] … texts[n]`. */
  constructor(texts: readonly Buffer[], fragments: readonly EncodedFragment[]) {
    const pieces: Buffer[] = [];
    texts.forEach((text, index) => {
      if (text.length > 0) pieces.push(text);
      const fragment = fragments[index];
      if (fragment !== undefined && fragment.bytes.length > 0) pieces.push(fragment.bytes);
    });
    this.pieces = pieces;
    this.length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    this.#texts = texts;
    this.#fragments = fragments;
  }

  /** A weak ETag: the length, and a SHA-1 where each fragment's digest stands for its bytes (hashed when first asked). */
  get etag(): string {
    this.#etag ??= etagOf(this.length, this.#texts, this.#fragments);
    return this.#etag;
  }

  /** The page in one Buffer: a copy of every piece. */
  toBuffer(): Buffer {
    return this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.length);
  }

  /** The page as text (for tests and checks: it decodes every byte). */
  toString(): string {
    return this.toBuffer().toString();
  }

  /** Refuses to become JSON: `res.send(page)` without `cachesweeperResponses` would send its fields. */
  toJSON(): never {
    throw new CacheSweeperError(
      COMPONENT,
      'PageBody: send a page rendered as bytes with sendPage(res, page), or install cachesweeperResponses() so res.send can; as JSON it would be its fields, not the page',
    );
  }
}

/** Every piece goes into the hash with its kind and length, so one input is one page. */
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
