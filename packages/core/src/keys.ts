import { createHash } from 'node:crypto';
import { MAX_KEY_BYTES } from './backend';
import { CacheSweeperError, describeValue } from './errors';
import type { KeyPart, QuotedFragment } from './types';

/** Characters a quoted string part keeps as they are; everything else is escaped. */
const PLAIN = /^[A-Za-z0-9_.-]*$/;
const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;
const HEX = '0123456789ABCDEF';

/**
 * Quotes one key part into `[A-Za-z0-9_.-]` plus marker characters, injectively:
 * two different parts never quote to the same text, a quoted part never contains `:`
 * (the separator) and every type has its own marker, so `"1"` and `1` differ.
 * Strings escape each UTF-16 code unit outside the plain set as `%XX` (below 0x100)
 * or `~XXXX`, which keeps lone surrogates distinct (UTF-8 would merge them into U+FFFD).
 */
export function quoteKeyPart(part: KeyPart): string {
  switch (typeof part) {
    case 'string':
      return PLAIN.test(part) ? part : escapeString(part);
    case 'number':
      if (!Number.isFinite(part)) {
        throw new CacheSweeperError('keys', `key part ${describeValue(part)} is not a finite number`);
      }
      return Object.is(part, -0) ? '=-0' : `=${part}`;
    case 'bigint':
      return `=${part}n`;
    case 'boolean':
      return part ? '!t' : '!f';
    case 'undefined':
      return '!u';
    default:
      if (part === null) return '!n';
      if (part instanceof Date) {
        const time = part.getTime();
        if (Number.isNaN(time)) throw new CacheSweeperError('keys', 'key part is an invalid Date');
        return `@${time}`;
      }
      throw new CacheSweeperError(
        'keys',
        `key part ${describeValue(part)} must be a string, number, bigint, boolean, Date, null or undefined`,
      );
  }
}

function escapeString(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (isPlainUnit(unit)) {
      out += text[index];
    } else if (unit < 0x100) {
      out += `%${HEX[unit >> 4]}${HEX[unit & 15]}`;
    } else {
      out += `~${HEX[unit >> 12]}${HEX[(unit >> 8) & 15]}${HEX[(unit >> 4) & 15]}${HEX[unit & 15]}`;
    }
  }
  return out;
}

function isPlainUnit(unit: number): boolean {
  return (
    (unit >= 0x61 && unit <= 0x7a) || // a-z
    (unit >= 0x41 && unit <= 0x5a) || // A-Z
    (unit >= 0x30 && unit <= 0x39) || // 0-9
    unit === 0x5f || // _
    unit === 0x2e || // .
    unit === 0x2d // -
  );
}

/** Throws unless `namespace` is 1–64 characters of `[A-Za-z0-9_.-]`. */
export function validateNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new CacheSweeperError(
      'keys',
      `namespace ${describeValue(namespace)} must be 1-64 characters of A-Z a-z 0-9 _ . -`,
    );
  }
  return namespace;
}

/**
 * Joins already-quoted segments with `:`. A key longer than memcached's 250 bytes
 * becomes `<namespace>:#<sha256>`; `#` never appears in a quoted segment, so a hashed
 * key cannot equal an unhashed one, and the caller keeps the key it asked for, so
 * multi-get results map back by position. A version key keeps its kind's ending
 * (`:&`, `:*`, `:+`) after the hash, so a hashed key is told apart like any other.
 */
export function joinKey(namespace: string, segments: readonly string[]): string {
  return keyOf(namespace, segments.join(':'));
}

/** `<namespace>:<body>`, where `body` is already quoted and joined; hashed above 250 bytes (see `joinKey`). */
export function keyOf(namespace: string, body: string): string {
  const key = `${namespace}:${body}`;
  if (key.length <= MAX_KEY_BYTES) return key;
  const hashed = `${namespace}:#${createHash('sha256').update(key).digest('base64url')}`;
  return `${hashed}${KIND_ENDINGS.find((ending) => body.endsWith(ending)) ?? ''}`;
}

/** The endings of contents counters, model generations and model counters: no quoted part ends so. */
const KIND_ENDINGS = [':&', ':*', ':+'] as const;

const CANONICAL_INTEGER = /^-?(?:0|[1-9]\d*)$/;

/**
 * Quotes one primary-key value. An integer keys alike whether it arrives as a number,
 * a bigint or its canonical decimal string (`5`, `5n`, `"5"`): drivers disagree
 * (PostgreSQL returns BIGINT as a string, a form posts `"5"`), and a row must have one
 * key whichever way it was loaded. Other strings (`"05"`, `"a"`) stay strings.
 */
function quoteIdValue(value: KeyPart): string {
  if (typeof value === 'number' && Number.isInteger(value) && !Object.is(value, -0)) return `=${BigInt(value)}`;
  if (typeof value === 'bigint') return `=${value}`;
  if (typeof value === 'string' && CANONICAL_INTEGER.test(value) && value !== '-0') return `=${value}`;
  // Anything else keeps its type marker; a non-integer number (`=1.5`) never reads as an integer.
  return quoteKeyPart(value);
}

/** Quotes a primary key: one value, or the values of a composite key joined by `,` (escaped inside parts). */
export function quotePrimaryKey(id: KeyPart | readonly KeyPart[]): string {
  return Array.isArray(id) ? `(${id.map(quoteIdValue).join(',')})` : quoteIdValue(id as KeyPart);
}

/** A row quoted as `<Model>:<pk>`: the body of its version key and the head of its fragment keys. */
export function quoteRow(model: string, id: KeyPart | readonly KeyPart[]): string {
  return `${quoteKeyPart(model)}:${quotePrimaryKey(id)}`;
}

/** The key of a row's version counter: `<namespace>:<Model>:<pk>`. */
export function versionKey(namespace: string, model: string, id: KeyPart | readonly KeyPart[]): string {
  return keyOf(namespace, quoteRow(model, id));
}

/**
 * The key of a row's contents counter: `<namespace>:<Model>:<pk>:&`. Invalidating a row
 * declared `within` this one bumps it (not the row's own counter), and this row's blocks
 * record it among the counters they nest: their key holds while only what they nest
 * changed. `&` never appears in a quoted part, so it is neither a counter nor a fragment key.
 */
export function contentsKey(namespace: string, model: string, id: KeyPart | readonly KeyPart[]): string {
  return rowContentsKey(namespace, quoteRow(model, id));
}

/** `contentsKey` of a row already quoted as `<Model>:<pk>` (`quoteRow`). */
export function rowContentsKey(namespace: string, row: string): string {
  return keyOf(namespace, `${row}:&`);
}

/** Whether `key` is a contents counter (`contentsKey`), hashed or not: only those end in `:&`. */
export function isContentsKey(key: string): boolean {
  return key.endsWith(':&');
}

/** The key of a model's generation counter (bumped by bulk writes): `<namespace>:<Model>:*`. */
export function generationKey(namespace: string, model: string): string {
  return joinKey(namespace, [quoteKeyPart(model), '*']);
}

/** A whole model quoted as `<Model>:+`: the body of its model counter and the head of its fragment keys (no primary key quotes to `+`). */
export function quoteWholeModel(model: string): string {
  return `${quoteKeyPart(model)}:+`;
}

/**
 * Whether `key` is a model generation (`generationKey`): only those end in `:*` (a `*` in a
 * quoted part is escaped), hashed or not.
 */
export function isGenerationKey(key: string): boolean {
  return key.endsWith(':*');
}

/**
 * Whether `key` is a model counter (`modelCounterKey`): no quoted part ends in `:+`
 * (a `+` in a string is escaped), hashed or not.
 */
export function isModelCounterKey(key: string): boolean {
  return key.endsWith(':+');
}

/**
 * The key of a model's own counter, bumped by every invalidation of its rows:
 * `<namespace>:<Model>:+`. Fragments about the whole model (`{ model }`) are keyed by it.
 */
export function modelCounterKey(namespace: string, model: string): string {
  return keyOf(namespace, quoteWholeModel(model));
}

/** Everything a fragment key is made of. */
export interface FragmentKeyInput {
  /** The model name. */
  readonly model: string;
  /** The row's primary key. */
  readonly id: KeyPart | readonly KeyPart[];
  /** The row's version token, as built by `tokens.ts` (already key-safe). */
  readonly token: string;
  /** A digest of the template source, or `''` when the fragment has no template. */
  readonly digest: string;
  /** The extra key parts. */
  readonly parts: readonly KeyPart[];
}

/** Quotes everything of a fragment key but its token; throws on a part that cannot be a key part. */
export function quoteFragment(input: Omit<FragmentKeyInput, 'token'>): QuotedFragment {
  return { head: quoteRow(input.model, input.id), tail: quoteFragmentTail(input.digest, input.parts) };
}

/** Quotes the part of a fragment key after its token: `<digest>:<part>:…`. */
export function quoteFragmentTail(digest: string, parts: readonly KeyPart[]): string {
  let tail = quoteKeyPart(digest);
  for (const part of parts) tail += `:${quoteKeyPart(part)}`;
  return tail;
}

/** Completes a quoted fragment with its token into a key (hashed above 250 bytes). */
export function completeFragmentKey(namespace: string, quoted: QuotedFragment, token: string): string {
  return keyOf(namespace, `${quoted.head}:${token}:${quoted.tail}`);
}

/** The key of a fragment: `<namespace>:<Model>:<pk>:<token>:<digest>:<part>:…`, hashed above 250 bytes. */
export function fragmentKey(namespace: string, input: FragmentKeyInput): string {
  return completeFragmentKey(namespace, quoteFragment(input), input.token);
}

/**
 * True when `key` is one memcached accepts through the npm client: 1–250 bytes of
 * printable ASCII, no whitespace or control bytes, and no `$` (the client rewrites keys
 * holding `$` as if they were replacement patterns). Keys core builds always pass.
 */
export function isValidCacheKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_BYTES) return false;
  for (let index = 0; index < key.length; index++) {
    const unit = key.charCodeAt(index);
    if (unit <= 0x20 || unit >= 0x7f || unit === 0x24) return false;
  }
  return true;
}
