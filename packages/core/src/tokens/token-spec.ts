import { CacheSweeperError, describeValue } from '../errors';

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
  /** Whether a per-row counter is part of the token: the one place that says whether a model keeps a counter. */
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

/** True when two token specs keep the same token (so declaring one over the other is a no-op). */
export function sameTokenSpec(a: TokenSpec, b: TokenSpec): boolean {
  return a.using === b.using && a.counter === b.counter && a.generation === b.generation;
}

/** A token spec as it reads in messages: `{"using":"updatedAt","counter":true,"generation":false}`. */
export function describeSpec(spec: TokenSpec): string {
  return JSON.stringify({ using: spec.using, counter: spec.counter, generation: spec.generation });
}
