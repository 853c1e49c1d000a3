import { isValidCacheKey } from '../keys';
import { isCounterValue } from '../tokens/counter-values';
import type { NestedToken, StoredFragment } from '../types';

const PLAIN = '|';
const WITH_NESTED = '#';
const RENDER_TIME = '~';
/** Most digits of a render time in µs (over 31 years). */
const MAX_RENDER_TIME_DIGITS = 15;

/**
 * Encodes a fragment for the cache: `|<html>`, or `#<key> <token> <key> <token>…\n<html>`
 * when it embeds cached fragments. Version keys hold no whitespace and tokens are
 * digits, so the header needs no quoting. With `renderMicros` (telemetry on), the
 * time its rendering took, in µs, goes first: `~<µs>|<html>`, so a hit in any process
 * knows the render time it saved.
 */
export function encodeFragment(html: string, nested: readonly NestedToken[] = [], renderMicros?: number): string {
  const time = renderMicros === undefined ? '' : RENDER_TIME + Math.max(0, Math.round(renderMicros));
  if (nested.length === 0) return time + PLAIN + html;
  let header = time + WITH_NESTED;
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
  if (!value.startsWith(RENDER_TIME)) return decodeBody(value, 0, undefined);
  let end = 1;
  while (end < value.length && end <= MAX_RENDER_TIME_DIGITS && isDigit(value.charCodeAt(end))) end++;
  if (end === 1 || end > MAX_RENDER_TIME_DIGITS) return undefined;
  return decodeBody(value, end, Number(value.slice(1, end)));
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** Decodes `|<html>` or `#<header>\n<html>` from `start` on. */
function decodeBody(value: string, start: number, renderMicros: number | undefined): StoredFragment | undefined {
  const time = renderMicros === undefined ? {} : { renderMicros };
  if (value.startsWith(PLAIN, start)) return { html: value.slice(start + 1), nested: [], ...time };
  if (!value.startsWith(WITH_NESTED, start)) return undefined;
  const end = value.indexOf('\n', start);
  if (end < 0) return undefined;
  const words = value.slice(start + 1, end).split(' ');
  if (words.length % 2 !== 0) return undefined;
  const nested: NestedToken[] = [];
  for (let index = 0; index < words.length; index += 2) {
    const key = words[index] as string;
    const token = words[index + 1] as string;
    if (!isValidCacheKey(key) || !isCounterValue(token)) return undefined;
    nested.push([key, token]);
  }
  return { html: value.slice(end + 1), nested, ...time };
}
