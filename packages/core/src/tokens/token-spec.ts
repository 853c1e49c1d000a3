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
 * - `within`: the rows this model's rows are shown inside (`{ Article: 'articleId' }`:
 *   a comment sits in the page of the article its `articleId` names). Invalidating a
 *   row also bumps the *contents* counter of the row it lives within (not its own
 *   counter: that row's key stays), which a block of that row records in place of the
 *   counters of the blocks nested in it: its hit reads a fixed number of keys however
 *   many it nests. A new, deleted or moved row must invalidate its container too.
 */
export interface ModelTokens {
  /** The row attribute that is part of the token, e.g. `updatedAt`. */
  readonly using?: string;
  /** Keep a per-row counter in the cache (default: `true` without `using`, `false` with it). */
  readonly counter?: boolean;
  /** Keep a per-model generation counter in every key of this model (default: `false`). */
  readonly generation?: boolean;
  /** The rows this model's rows are shown within: containing model name → the attribute holding its primary key. */
  readonly within?: Readonly<Record<string, string>>;
}

/** One containing model of a `within` spec: its name and the attribute of the contained row that holds its key. */
export type WithinLink = readonly [model: string, attribute: string];

/** A model's token spec with every default applied. */
export interface TokenSpec {
  /** The attribute that is part of the token, if any. */
  readonly using: string | undefined;
  /** Whether a per-row counter is part of the token: the one place that says whether a model keeps a counter. */
  readonly counter: boolean;
  /** Whether the per-model generation counter is part of the token. */
  readonly generation: boolean;
  /** The rows the model's rows are shown within, sorted by model name (empty: none declared). */
  readonly within: readonly WithinLink[];
}

/** The spec of a model nobody declared: a per-row counter. */
export const DEFAULT_TOKEN_SPEC: TokenSpec = { using: undefined, counter: true, generation: false, within: [] };

/** Applies defaults to a `ModelTokens` and checks it; `model` names the model in errors. */
export function toTokenSpec(model: string, tokens: ModelTokens | undefined): TokenSpec {
  if (tokens === undefined) return DEFAULT_TOKEN_SPEC;
  if (tokens === null || typeof tokens !== 'object') {
    throw new CacheSweeperError('tokens', `token spec of ${model} must be an object, got ${describeValue(tokens)}`);
  }
  const { using, counter, generation, within } = tokens;
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
  const spec: TokenSpec = {
    using,
    counter: counter ?? using === undefined,
    generation: generation ?? false,
    within: toWithinLinks(model, within),
  };
  if (!spec.counter && spec.using === undefined) {
    throw new CacheSweeperError('tokens', `${model}: a token needs a counter or a "using" attribute; both are off`);
  }
  if (spec.within.length > 0 && !spec.counter) {
    throw new CacheSweeperError(
      'tokens',
      `${model}: "within" needs a counter on ${model} (its rows' counters are what the containing row's blocks stop checking); drop counter: false`,
    );
  }
  return spec;
}

function toWithinLinks(model: string, within: unknown): readonly WithinLink[] {
  if (within === undefined) return [];
  if (within === null || typeof within !== 'object' || Array.isArray(within)) {
    throw new CacheSweeperError(
      'tokens',
      `${model}: "within" must map containing model names to attributes, e.g. { Article: 'articleId' }, got ${describeValue(within)}`,
    );
  }
  const links: WithinLink[] = [];
  for (const [container, attribute] of Object.entries(within)) {
    if (container.length === 0 || typeof attribute !== 'string' || attribute.length === 0) {
      throw new CacheSweeperError(
        'tokens',
        `${model}: "within" maps a model name to the attribute holding its key, got ${describeValue(container)}: ${describeValue(attribute)}`,
      );
    }
    if (container === model) {
      throw new CacheSweeperError('tokens', `${model}: a row cannot be declared "within" a row of its own model`);
    }
    links.push([container, attribute]);
  }
  return links.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** True when two token specs keep the same token (so declaring one over the other is a no-op). */
export function sameTokenSpec(a: TokenSpec, b: TokenSpec): boolean {
  return (
    a.using === b.using &&
    a.counter === b.counter &&
    a.generation === b.generation &&
    JSON.stringify(a.within) === JSON.stringify(b.within)
  );
}

/** A token spec as it reads in messages: `{"using":"updatedAt","counter":true,"generation":false}`. */
export function describeSpec(spec: TokenSpec): string {
  const within = spec.within.length === 0 ? undefined : Object.fromEntries(spec.within);
  return JSON.stringify({ using: spec.using, counter: spec.counter, generation: spec.generation, within });
}
