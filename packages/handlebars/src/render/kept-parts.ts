import type { SweeperSession } from '@cachesweeper/core';
import type { Cut } from '../types';

/**
 * Where each block nested in a stored block lies in its HTML, with the token of the row
 * counter it was rendered with: `<start>,<end>,<token>` per block, space-separated. A
 * later page that finds the stored block outdated, because rows within its row changed,
 * keeps every part whose row the contents records show unchanged (`SweeperSession.keep`)
 * and renders only the others, instead of looking up every block again. Written only for
 * a block whose text is its nested blocks between plain texts, each nesting none.
 */
export function partsOf(cut: Cut, session: SweeperSession): string | undefined {
  if (cut.refs.length === 0) return undefined;
  const parts: string[] = [];
  let at = (cut.texts[0] as string).length;
  for (const [index, item] of cut.refs.entries()) {
    if (item.kind !== 'block' || item.html === undefined || item.slot === undefined) return undefined;
    if (item.slot.nested?.length !== 0) return undefined;
    const token = session.counterTokenOf(item.slot);
    if (token === undefined) return undefined;
    const end = at + item.html.length;
    parts.push(`${at},${end},${token}`);
    at = end + (cut.texts[index + 1] as string).length;
  }
  return parts.join(' ');
}

/** One nested block's place in a stored block's HTML, and the row counter token it was rendered with. */
export interface KeptPart {
  readonly start: number;
  readonly end: number;
  readonly token: string;
}

/**
 * The parts `partsOf` wrote, checked against the HTML they describe: `count` of them, in
 * order, inside it, with `texts` (the recipe's) between them; `undefined` when they do
 * not fit (a copy written by another version, or damaged).
 */
export function parseParts(written: string, html: string, texts: readonly string[]): KeptPart[] | undefined {
  const words = written.split(' ');
  if (words.length !== texts.length - 1) return undefined;
  const parts: KeptPart[] = [];
  let at = 0;
  for (const [index, word] of words.entries()) {
    const [startText, endText, token] = word.split(',');
    const start = Number(startText);
    const end = Number(endText);
    const before = texts[index] as string;
    if (token === undefined || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return undefined;
    if (start !== at + before.length || end < start || !html.startsWith(before, at)) return undefined;
    parts.push({ start, end, token });
    at = end;
  }
  const last = texts[texts.length - 1] as string;
  return at + last.length === html.length && html.endsWith(last) ? parts : undefined;
}
