import { isValidCacheKey } from '../keys';
import { isCounterValue } from '../tokens/counter-values';
import type { NestedToken, StoredFragment } from '../types';

const PLAIN = '|';
const WITH_NESTED = '#';

/**
 * Encodes a fragment for the cache: `|<html>`, or `#<key> <token> <key> <token>…\n<html>`
 * when it embeds cached fragments. Version keys hold no whitespace and tokens are
 * digits, so the header needs no quoting.
 */
export function encodeFragment(html: string, nested: readonly NestedToken[] = []): string {
  if (nested.length === 0) return PLAIN + html;
  let header = WITH_NESTED;
  nested.forEach(([key, token], index) => {
    header += `${index === 0 ? '' : ' '}${key} ${token}`;
  });
  return `${header}\n${html}`;
}

/** Whether every counter of `nested` still holds, in `tokens`, the token the fragment was rendered with. */
export function nestedTokensHold(nested: readonly NestedToken[], tokens: ReadonlyMap<string, string | null>): boolean {
  for (const [versionKey, token] of nested) if (tokens.get(versionKey) !== token) return false;
  return true;
}

/** Decodes a cached value; `undefined` for a value in no known shape (written by something else): a miss. */
export function decodeFragment(value: string): StoredFragment | undefined {
  if (value.startsWith(PLAIN)) return { html: value.slice(1), nested: [] };
  if (!value.startsWith(WITH_NESTED)) return undefined;
  const end = value.indexOf('\n');
  if (end < 0) return undefined;
  const words = value.slice(1, end).split(' ');
  if (words.length % 2 !== 0) return undefined;
  const nested: NestedToken[] = [];
  for (let index = 0; index < words.length; index += 2) {
    const key = words[index] as string;
    const token = words[index + 1] as string;
    if (!isValidCacheKey(key) || !isCounterValue(token)) return undefined;
    nested.push([key, token]);
  }
  return { html: value.slice(end + 1), nested };
}
