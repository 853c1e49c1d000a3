import { randomInt } from 'node:crypto';
import { CacheSweeperError, describeValue } from './errors';
import { generationKey, type KeyPart, keyOf, quoteKeyPart, versionKey } from './keys';
import { describeTarget, type ResolvedTarget } from './targets';

/**
 * How a model's version token is kept. The default is a counter in the cache.
 *
 * - `counter`: a per-row counter in the cache, bumped by `invalidate`.
 * - `using`: a row attribute (e.g. `updatedAt`) read from the row as loaded, at
 *   millisecond precision: no round trip, and the key comes from the same snapshot
 *   as the data it keys. A save that changes the attribute invalidates the row.
 * - both: the attribute *and* a counter, for a row keyed by `updatedAt` that other
 *   rows' writes must also invalidate (a vote invalidates its article page).
 * - `generation`: a per-model counter in every key of the model, bumped by
 *   `invalidateModel` when a bulk write touched rows nobody can name.
 */
export interface ModelTokens {
  /** The row attribute that is part of the token, e.g. `updatedAt`. */
  readonly using?: string;
  /** Keep a per-row counter in the cache (default: `true` without `using`, `false` with it). */
  readonly counter?: boolean;
  /** Keep a per-model generation counter in every key of this model (default: `false`). */
  readonly generation?: boolean;
}

/** A model's token spec with every default applied. */
export interface TokenSpec {
  /** The attribute that is part of the token, if any. */
  readonly using: string | undefined;
  /** Whether a per-row counter is part of the token. */
  readonly counter: boolean;
  /** Whether the per-model generation counter is part of the token. */
  readonly generation: boolean;
}

/** The spec of a model nobody declared: a per-row counter. */
export const DEFAULT_TOKEN_SPEC: TokenSpec = { using: undefined, counter: true, generation: false };

/** Applies defaults to a `ModelTokens` and checks it; `model` names the model in errors. */
export function toTokenSpec(model: string, tokens: ModelTokens | undefined): TokenSpec {
  if (tokens === undefined) return DEFAULT_TOKEN_SPEC;
  if (tokens === null || typeof tokens !== 'object') {
    throw new CacheSweeperError('tokens', `token spec of ${model} must be an object, got ${describeValue(tokens)}`);
  }
  const { using, counter, generation } = tokens;
  if (using !== undefined && (typeof using !== 'string' || using.length === 0)) {
    throw new CacheSweeperError('tokens', `${model}: "using" must be an attribute name, got ${describeValue(using)}`);
  }
  for (const [name, value] of [
    ['counter', counter],
    ['generation', generation],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new CacheSweeperError('tokens', `${model}: "${name}" must be true or false, got ${describeValue(value)}`);
    }
  }
  const spec: TokenSpec = { using, counter: counter ?? using === undefined, generation: generation ?? false };
  if (!spec.counter && spec.using === undefined) {
    throw new CacheSweeperError('tokens', `${model}: a token needs a counter or a "using" attribute; both are off`);
  }
  return spec;
}

/** The cache keys a target's token needs, and the part of it read from the row itself. */
export interface TokenPlan {
  /** The per-row counter key, when the model keeps one. */
  readonly counterKey: string | undefined;
  /** The per-model generation key, when the model keeps one. */
  readonly generationKey: string | undefined;
  /** The quoted attribute value, when the model uses one. */
  readonly attributePart: string | undefined;
}

/** Works out which keys a target's token needs; throws when a `using` attribute was not loaded. */
export function planToken(namespace: string, target: ResolvedTarget, spec: TokenSpec): TokenPlan {
  return {
    counterKey: spec.counter ? versionKey(namespace, target.model, target.id) : undefined,
    generationKey: spec.generation ? generationKey(namespace, target.model) : undefined,
    attributePart: spec.using === undefined ? undefined : attributeToken(target, spec.using),
  };
}

/** A model's name quoted once, with its spec and generation key: what every plan of its rows shares. */
export interface ModelKeys {
  /** The quoted model name. */
  readonly quotedModel: string;
  /** The model's token spec. */
  readonly spec: TokenSpec;
  /** The generation key, when the spec keeps one. */
  readonly generationKey: string | undefined;
}

/** Works out a model's shared key pieces. */
export function modelKeys(namespace: string, model: string, spec: TokenSpec): ModelKeys {
  return {
    quotedModel: quoteKeyPart(model),
    spec,
    generationKey: spec.generation ? generationKey(namespace, model) : undefined,
  };
}

/** As `planToken`, from a model's shared pieces and the row's quoted primary key. */
export function planTokenQuoted(
  namespace: string,
  target: ResolvedTarget,
  keys: ModelKeys,
  quotedId: string,
): TokenPlan {
  const { spec } = keys;
  return {
    counterKey: spec.counter ? keyOf(namespace, `${keys.quotedModel}:${quotedId}`) : undefined,
    generationKey: keys.generationKey,
    attributePart: spec.using === undefined ? undefined : attributeToken(target, spec.using),
  };
}

/** Reads the `using` attribute as a key-safe token part; Dates at millisecond precision. */
export function attributeToken(target: ResolvedTarget, using: string): string {
  const value = target.attribute(using);
  if (value === undefined || value === null) {
    const why = target.hasAttribute(using) ? `is ${String(value)}` : 'was not loaded';
    throw new CacheSweeperError(
      'tokens',
      `${describeTarget(target)} is keyed by "${using}", but its "${using}" ${why}; load it (or pass { model, id, ${using} })`,
    );
  }
  if (value instanceof Date || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    return quoteKeyPart(value as KeyPart);
  }
  throw new CacheSweeperError(
    'tokens',
    `${describeTarget(target)}: "${using}" is ${describeValue(value)}; a token attribute must be a Date, number or string`,
  );
}

/** Joins a token's parts into one key segment: `g<generation>,c<counter>,u<attribute>` (`,` never occurs inside). */
export function composeToken(plan: TokenPlan, generation: string | undefined, counter: string | undefined): string {
  let token = plan.generationKey === undefined ? '' : `g${generation}`;
  if (plan.counterKey !== undefined) token += token === '' ? `c${counter}` : `,c${counter}`;
  if (plan.attributePart !== undefined) token += token === '' ? `u${plan.attributePart}` : `,u${plan.attributePart}`;
  return token;
}

const COUNTER_BASE = 2 ** 52;

/**
 * A fresh start value for a counter that is missing (never created, evicted,
 * flushed, or lost in a restart): uniformly random in [2^52, 2^52 + 2^51).
 *
 * Random rather than time-based on purpose: a time-based start (ms × 1000 + r)
 * repeats a token when a counter is bumped and then evicted and re-created within
 * the same millisecond, which a busy LRU does. A random 51-bit start repeats one of
 * k earlier tokens with probability about k / 2^51, and leaves 2^51 bumps of
 * headroom below 2^53, so counters stay exact JavaScript integers.
 */
export function freshCounterStart(): number {
  return COUNTER_BASE + randomInt(0, 2 ** 25) * 2 ** 26 + randomInt(0, 2 ** 26);
}

/** 2^53 in decimal: 16 digits. */
const COUNTER_LIMIT_TEXT = String(2 ** 53);

/** Checks a counter value read from the cache: a decimal integer below 2^53. */
export function isCounterValue(value: string): boolean {
  // Read for every token of every page: a loop of char codes, no regex, no number parsing.
  const { length } = value;
  if (length === 0 || length > COUNTER_LIMIT_TEXT.length) return false;
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  // Digit strings of one length compare as their numbers do.
  return length < COUNTER_LIMIT_TEXT.length || value < COUNTER_LIMIT_TEXT;
}
