/**
 * The backend conversations of the Sweeper, written once as generators that yield
 * the rounds they need; `rounds.ts` runs them against an async backend (with a
 * deadline per round) or against a synchronous one. A flow never sees a failed
 * round: the runner stops it there and the caller renders uncached.
 */
import type { CacheEntry } from './backend';
import { CacheSweeperError, describeValue } from './errors';
import { type NestedToken, nestedTokensHold, type StoredFragment } from './fragment-value';
import type { FragmentHints } from './hints';
import { completeFragmentKey, type KeyPart, type QuotedFragment } from './keys';
import type { SweeperSession } from './session';
import { composeToken, freshCounterStart, isCounterValue, type TokenPlan } from './tokens';

/** One round of backend calls (a batch of parallel calls counts as one round). */
export type BackendOp =
  | { readonly kind: 'getMany'; readonly what: string; readonly keys: readonly string[] }
  | { readonly kind: 'addMany'; readonly what: string; readonly entries: readonly CacheEntry[] }
  | { readonly kind: 'incrMany'; readonly what: string; readonly keys: readonly string[] }
  | { readonly kind: 'setMany'; readonly what: string; readonly entries: readonly CacheEntry[] };

/** A backend conversation that yields rounds and returns `T`. */
export type Flow<T> = Generator<BackendOp, T, unknown>;

/** What flows need from the Sweeper. */
export interface FlowContext {
  /** The namespace of every key. */
  readonly namespace: string;
  /** Lifetime of version keys; 0 = no expiry. */
  readonly versionTtlSeconds: number;
  /** Reports a problem that is not a failed round (a garbled counter). */
  report(error: CacheSweeperError): void;
  /** Decodes a value read under a fragment key (see `encodeFragment`). */
  decode(key: string, value: string): StoredFragment | undefined;
}

/** A fragment request whose target, token plan and key parts have been checked. */
export interface PlannedFragment {
  /** The model name. */
  readonly model: string;
  /** The primary key. */
  readonly id: KeyPart | readonly KeyPart[];
  /** Which keys the token needs. */
  readonly plan: TokenPlan;
  /** The key, quoted but for its token. */
  readonly quoted: QuotedFragment;
  /** Lifetime of the fragment. */
  readonly ttlSeconds: number;
}

/** Where a fragment stands after a lookup. */
export interface FragmentLookup {
  /** The key to store a rendering under; `undefined` when the cache cannot be used for it (render uncached). */
  readonly key: string | undefined;
  /** The cached HTML on a hit. */
  readonly html: string | undefined;
  /** On a hit, the counters of the cached fragments nested in it, with the tokens they held (and still hold). */
  readonly nested?: readonly NestedToken[];
}

function* getMany(what: string, keys: readonly string[]): Flow<(string | undefined)[]> {
  return (yield { kind: 'getMany', what, keys }) as (string | undefined)[];
}

function* addMany(what: string, entries: readonly CacheEntry[]): Flow<boolean[]> {
  return (yield { kind: 'addMany', what, entries }) as boolean[];
}

function* incrMany(what: string, keys: readonly string[]): Flow<(number | undefined)[]> {
  return (yield { kind: 'incrMany', what, keys }) as (number | undefined)[];
}

/** Writes entries in one round; resolves one boolean per entry. */
export function* setMany(what: string, entries: readonly CacheEntry[]): Flow<boolean[]> {
  return (yield { kind: 'setMany', what, entries }) as boolean[];
}

/** Keys a token round may read besides the tokens it needs, for the process's hints (see `FragmentHints`). */
export interface ReadAhead {
  /** Version keys of blocks likely to be looked up next; a missing one is left for its own lookup. */
  readonly tokens: readonly string[];
  /** Fragment keys, recorded in `session.fragments` (a hit is served only if its key proves current). */
  readonly fragments: readonly string[];
}

const NOTHING_AHEAD: ReadAhead = { tokens: [], fragments: [] };

/**
 * Reads the counters behind `keys` into `session.tokens`: one multi-get; a missing
 * counter is created with a fresh random start (`add`), and when another process
 * won that race, read again. A garbled counter, or one that vanishes again at once,
 * is recorded as `null`: its fragments render uncached. The keys of `ahead` ride
 * along in the first multi-get, which only runs if some token of `keys` is needed.
 */
export function* readTokens(
  keys: readonly string[],
  session: SweeperSession,
  context: FlowContext,
  ahead: ReadAhead = NOTHING_AHEAD,
): Flow<void> {
  const needed = unread(keys, session.tokens);
  if (needed.length === 0) return;
  const tokensAhead = unread(ahead.tokens, session.tokens, needed);
  const fragmentsAhead = unread(ahead.fragments, session.fragments);
  const reading =
    tokensAhead.length === 0 && fragmentsAhead.length === 0 ? needed : [...needed, ...tokensAhead, ...fragmentsAhead];
  const values = yield* getMany('get version tokens', reading);
  const missing = acceptCounters(needed, values, session, context);
  // A counter read ahead that is missing stays unread: the lookup that needs it creates it.
  acceptCounters(tokensAhead, values, session, context, needed.length);
  const fragmentsAt = needed.length + tokensAhead.length;
  for (let index = 0; index < fragmentsAhead.length; index++) {
    const key = fragmentsAhead[index] as string;
    session.fragments.set(key, decoded(key, values[fragmentsAt + index], context));
  }
  if (missing.length === 0) return;
  const entries = missing.map((key) => ({
    key,
    value: String(freshCounterStart()),
    ttlSeconds: context.versionTtlSeconds,
  }));
  const added = yield* addMany('create version tokens', entries);
  const raced: string[] = [];
  entries.forEach((entry, index) => {
    if (added[index]) {
      session.tokens.set(entry.key, entry.value);
      session.created.add(entry.key);
    } else {
      raced.push(entry.key);
    }
  });
  if (raced.length === 0) return;
  for (const key of acceptCounters(raced, yield* getMany('re-read version tokens', raced), session, context)) {
    session.tokens.set(key, null);
  }
}

/** The keys of `keys` not yet in `read` (nor in `besides`), each once. */
function unread(keys: readonly string[], read: Map<string, unknown>, besides: readonly string[] = []): string[] {
  const seen = new Set<string>(besides);
  const out: string[] = [];
  for (const key of keys) {
    if (seen.has(key) || read.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}

/** Records the counters of `keys`, read as `values[offset + i]`; returns the keys found missing. */
function acceptCounters(
  keys: readonly string[],
  values: readonly (string | undefined)[],
  session: SweeperSession,
  context: FlowContext,
  offset = 0,
): string[] {
  const missing: string[] = [];
  keys.forEach((key, index) => {
    const value = values[offset + index];
    if (value === undefined) {
      missing.push(key);
    } else if (isCounterValue(value)) {
      session.tokens.set(key, value);
    } else {
      session.tokens.set(key, null);
      context.report(
        new CacheSweeperError(
          'tokens',
          `version key "${key}" holds ${describeValue(value)}, not a counter below 2^53; its fragments render uncached`,
        ),
      );
    }
  });
  return missing;
}

/**
 * Reads tokens, then every fragment in one multi-get; returns one lookup per planned
 * fragment. With `hints`, the token round also reads each fragment under the key it
 * had last time (a hit when its token has not changed: one round in all) and the
 * tokens of the blocks it nested last time; the fragment round then also reads those
 * nested blocks, so when an outer block misses, its inner level needs no round.
 */
export function* lookupFragments(
  planned: readonly PlannedFragment[],
  session: SweeperSession,
  context: FlowContext,
  hints?: FragmentHints,
): Flow<FragmentLookup[]> {
  const versionKeys: string[] = [];
  for (const { plan } of planned) pushVersionKeys(plan, versionKeys);
  const hinted = hints === undefined ? [] : planned.map((fragment) => hints.get(fragment));
  const ahead = { tokens: [] as string[], fragments: [] as string[] };
  for (const hint of hinted) {
    if (hint === undefined) continue;
    if (hint.lastKey !== undefined) ahead.fragments.push(hint.lastKey);
    // The counters its stored copy records cover every level; before one was read, those of its last rendering.
    if (hint.nestedCounters !== undefined) for (const counter of hint.nestedCounters) ahead.tokens.push(counter);
    else for (const nested of hint.nested ?? []) pushVersionKeys(nested.plan, ahead.tokens);
  }
  yield* readTokens(versionKeys, session, context, ahead);

  const { namespace } = context;
  const keys = planned.map((fragment) => keyOf(fragment, session, namespace));
  const wanted = new Set<string>();
  const needsRead = (fragment: PlannedFragment, key: string | undefined): key is string =>
    key !== undefined && !session.fragments.has(key) && !isFresh(fragment, session);
  planned.forEach((fragment, index) => {
    const key = keys[index];
    if (!needsRead(fragment, key)) return;
    wanted.add(key);
    // Should this block miss, the blocks it nested last time are looked up next: read them now.
    for (const nested of hinted[index]?.nested ?? []) {
      const nestedKey = keyOf(nested, session, namespace);
      if (needsRead(nested, nestedKey)) wanted.add(nestedKey);
    }
  });
  if (wanted.size > 0) {
    const reading = [...wanted];
    const values = yield* getMany('get fragments', reading);
    reading.forEach((key, index) => {
      session.fragments.set(key, decoded(key, values[index], context));
    });
  }
  // A fragment found is served only while the counters of the fragments nested in it
  // still hold the tokens it was rendered with: read those not read yet.
  const nestedCounters: string[] = [];
  for (const key of keys) {
    const stored = key === undefined ? undefined : session.fragments.get(key);
    for (const [versionKey] of stored?.nested ?? []) nestedCounters.push(versionKey);
  }
  yield* readCounters(nestedCounters, session, context);
  return planned.map((fragment, index) => {
    const key = keys[index];
    if (key === undefined) return { key, html: undefined };
    const stored = session.fragments.get(key);
    hints?.noteLookup(fragment, key, stored?.nested);
    if (stored === undefined || !nestedTokensHold(stored.nested, session.tokens)) return { key, html: undefined };
    return { key, html: stored.html, nested: stored.nested };
  });
}

/**
 * Reads counters into `session.tokens` without creating missing ones (for checking
 * the counters a stored fragment nests: one lost or never created means it cannot be
 * served, and creating it would not change that).
 */
export function* readCounters(keys: readonly string[], session: SweeperSession, context: FlowContext): Flow<void> {
  const reading = unread(keys, session.tokens);
  if (reading.length === 0) return;
  acceptCounters(reading, yield* getMany('get nested version tokens', reading), session, context);
}

function decoded(key: string, value: string | undefined, context: FlowContext): StoredFragment | undefined {
  return value === undefined ? undefined : context.decode(key, value);
}

function pushVersionKeys(plan: TokenPlan, into: string[]): void {
  if (plan.generationKey !== undefined) into.push(plan.generationKey);
  if (plan.counterKey !== undefined) into.push(plan.counterKey);
}

/** A fragment keyed on a counter this session just created cannot be stored yet: no need to ask. */
function isFresh(fragment: PlannedFragment, session: SweeperSession): boolean {
  const { counterKey, generationKey } = fragment.plan;
  return (
    (counterKey !== undefined && session.created.has(counterKey)) ||
    (generationKey !== undefined && session.created.has(generationKey))
  );
}

function keyOf(fragment: PlannedFragment, session: SweeperSession, namespace: string): string | undefined {
  const { plan } = fragment;
  const generation = plan.generationKey === undefined ? undefined : session.tokens.get(plan.generationKey);
  const counter = plan.counterKey === undefined ? undefined : session.tokens.get(plan.counterKey);
  if (generation === null || counter === null) return undefined;
  if (plan.generationKey !== undefined && generation === undefined) return undefined;
  if (plan.counterKey !== undefined && counter === undefined) return undefined;
  return completeFragmentKey(namespace, fragment.quoted, composeToken(plan, generation, counter));
}

/**
 * Bumps the counters behind `keys` with `incr`. A missing counter needs nothing: no
 * fragment is reachable through it, since the next read creates it with a fresh random
 * start that differs from every token issued before (a reader that created it between
 * our commit and our `incr` loads its data after creating it, so that data is fresh).
 */
export function* bumpCounters(keys: readonly string[]): Flow<void> {
  const unique = [...new Set(keys)];
  if (unique.length > 0) yield* incrMany('bump version tokens', unique);
}
