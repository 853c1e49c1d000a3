import { isValidCacheKey } from '../keys';
import { isCounterValue } from '../tokens/counter-values';
import type { NestedToken, StoredFragment } from '../types';

const PLAIN = '|';
const WITH_NESTED = '#';
const RENDER_TIME = '~';
const EXPIRES = '@';
/** Most digits of a render time in µs (over 31 years). */
const MAX_RENDER_TIME_DIGITS = 15;
/** Most digits of an expiry in Unix seconds (past the year 2286 it takes 11). */
const MAX_EXPIRY_DIGITS = 11;

/**
 * Encodes a fragment for the cache: `|<html>`, or `#<key> <token> <key> <token>…\n<html>`
 * when it embeds cached fragments. Version keys hold no whitespace and tokens are
 * digits, so the header needs no quoting. With `renderMicros` (telemetry on), the
 * time its rendering took, in µs, goes before: `~<µs>|<html>`, so a hit in any process
 * knows the render time it saved. With `expiresAt` (a fragment with a TTL), the moment
 * the cache drops it, in Unix seconds of the writer's clock, goes first: `@<s>~<µs>|<html>`,
 * so a process that keeps a local copy of it stops serving that copy then too. (A reader
 * older than this prefix takes such a value for a miss and renders again: safe.)
 */
export function encodeFragment(
  html: string,
  nested: readonly NestedToken[] = [],
  renderMicros?: number,
  expiresAt?: number,
): string {
  let stamps = expiresAt === undefined ? '' : EXPIRES + Math.max(0, Math.floor(expiresAt));
  if (renderMicros !== undefined) stamps += RENDER_TIME + Math.max(0, Math.round(renderMicros));
  if (nested.length === 0) return stamps + PLAIN + html;
  let header = stamps + WITH_NESTED;
  nested.forEach(([key, token], index) => {
    header += `${index === 0 ? '' : ' '}${key} ${token}`;
  });
  return `${header}\n${html}`;
}

/** When a fragment stored now with `ttlSeconds` expires, in Unix seconds (rounded down); `undefined` without a TTL. */
export function expiryOf(ttlSeconds: number, nowMs: number = Date.now()): number | undefined {
  return ttlSeconds > 0 ? Math.floor(nowMs / 1000) + ttlSeconds : undefined;
}

/** Whether every counter of `nested` still holds, in `tokens`, the token the fragment was rendered with. */
export function nestedTokensHold(nested: readonly NestedToken[], tokens: ReadonlyMap<string, string | null>): boolean {
  for (const [versionKey, token] of nested) if (tokens.get(versionKey) !== token) return false;
  return true;
}

/** Decodes a cached value; `undefined` for a value in no known shape (written by something else): a miss. */
export function decodeFragment(value: string): StoredFragment | undefined {
  let start = 0;
  const stamps: Stamps = {};
  if (value.startsWith(EXPIRES)) {
    const end = digitsEnd(value, 1, MAX_EXPIRY_DIGITS);
    if (end === undefined) return undefined;
    stamps.expiresAt = Number(value.slice(1, end));
    start = end;
  }
  if (value.startsWith(RENDER_TIME, start)) {
    const end = digitsEnd(value, start + 1, MAX_RENDER_TIME_DIGITS);
    if (end === undefined) return undefined;
    stamps.renderMicros = Number(value.slice(start + 1, end));
    start = end;
  }
  return decodeBody(value, start, stamps);
}

/** What the stamps before a stored fragment's body said (only those present). */
type Stamps = { -readonly [K in 'expiresAt' | 'renderMicros']?: NonNullable<StoredFragment[K]> };

/** Where the run of 1 to `most` digits starting at `from` ends; `undefined` when there is none, or a longer one. */
function digitsEnd(value: string, from: number, most: number): number | undefined {
  let end = from;
  while (end < value.length && end - from <= most && isDigit(value.charCodeAt(end))) end++;
  return end === from || end - from > most ? undefined : end;
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}

/** Decodes `|<html>` or `#<header>\n<html>` from `start` on, with the `stamps` read before it. */
function decodeBody(value: string, start: number, stamps: Stamps): StoredFragment | undefined {
  if (value.startsWith(PLAIN, start)) return { html: value.slice(start + 1), nested: [], ...stamps };
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
  return { html: value.slice(end + 1), nested, ...stamps };
}
