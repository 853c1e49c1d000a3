import { randomUUID } from 'node:crypto';

const END = '--> \t\n';

/**
 * A fresh placeholder prefix for one render: an HTML comment opener with 122 random
 * bits (a UUID: Node draws them from a buffered pool, unlike a `randomBytes` call
 * per render), so neither page data nor another render can produce it.
 * Placeholders are `<prefix><index>--> \t\n`. They are made to be damaged by what
 * helpers commonly do to their block's output, so that such a helper is noticed: they
 * start and end with whitespace (trimming), hold runs of spaces, a tab and newlines
 * (collapsing, indenting), both cases of a letter and a non-ASCII one (case changes,
 * slugs), and the characters HTML escaping and Markdown rewrite.
 */
export function newPlaceholderPrefix(): string {
  return `\n\t <!--CacheSweeper Aé  &<>"'\`=*_#~ ${randomUUID()}:`;
}

/** The placeholder of item `index`. */
export function placeholderFor(prefix: string, index: number): string {
  return `${prefix}${index}${END}`;
}

/** A text cut at its placeholders: `texts[0] refs[0] texts[1] … refs[n-1] texts[n]`. */
export interface CutText {
  /** The text between placeholders; one more than `refs`. */
  readonly texts: string[];
  /** The item index of each placeholder, in order. */
  readonly refs: number[];
}

/**
 * Cuts `text` at the placeholders of `prefix` with one `split` (no per-block scan);
 * `undefined` when a placeholder was damaged (an enclosing helper rewrote it).
 */
export function cutAtPlaceholders(text: string, prefix: string): CutText | undefined {
  const pieces = text.split(prefix);
  const texts = [pieces[0] as string];
  const refs: number[] = [];
  for (let index = 1; index < pieces.length; index++) {
    const piece = pieces[index] as string;
    const end = piece.indexOf(END);
    if (end <= 0 || end > 15) return undefined;
    const ref = Number(piece.slice(0, end));
    if (!Number.isSafeInteger(ref) || ref < 0 || String(ref) !== piece.slice(0, end)) return undefined;
    refs.push(ref);
    texts.push(piece.slice(end + END.length));
  }
  return { texts, refs };
}

/** Puts `htmls[i]` where `refs[i]` was: the inverse of `cutAtPlaceholders`. */
export function joinCut(texts: readonly string[], htmls: readonly string[]): string {
  let out = texts[0] as string;
  for (let index = 0; index < htmls.length; index++) out += (htmls[index] as string) + (texts[index + 1] as string);
  return out;
}
