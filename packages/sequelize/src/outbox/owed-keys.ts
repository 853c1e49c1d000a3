import type { Sweeper } from '@cachesweeper/core';
import type { Invalidations } from '../invalidations';
import { keepsCounter } from '../token-specs';

/**
 * The version keys a write owes, each with the key that covers it when the outbox must
 * shrink: a row counter's model generation (bumping it invalidates every row of the
 * model), or `undefined` for a generation itself and for a counter of a model without one.
 */
export type OwedKeys = Map<string, string | undefined>;

/**
 * The version keys `invalidations` bump, as the sweeper names them. A row of a model
 * keyed by its `using` attribute alone is skipped: its own write changed the attribute.
 */
export function owedKeys(sweeper: Sweeper, invalidations: Invalidations): OwedKeys {
  const owed: OwedKeys = new Map();
  const generations = new Map<string, string | undefined>();
  const generationOf = (model: string): string | undefined => {
    if (!generations.has(model)) {
      const spec = sweeper.tokenSpec(model);
      generations.set(model, spec.generation ? sweeper.invalidationKeys([], { models: [model] })[0] : undefined);
    }
    return generations.get(model);
  };
  for (const model of invalidations.models) {
    for (const key of sweeper.invalidationKeys([], { models: [model] })) owed.set(key, undefined);
  }
  for (const ref of invalidations.rows) {
    if (!keepsCounter(sweeper.tokenSpec(ref.model))) continue;
    for (const key of sweeper.invalidationKeys([ref])) if (!owed.has(key)) owed.set(key, generationOf(ref.model));
  }
  // Fragments about a whole model (`{ model }`) change with any of its rows, keyed by `using` alone included.
  for (const model of invalidations.wholeModels) {
    for (const key of sweeper.invalidationKeys([{ model }])) if (!owed.has(key)) owed.set(key, generationOf(model));
  }
  return owed;
}

/** Adds every key of `from` to `into` (a key keeps the cover it has). */
export function mergeOwed(into: OwedKeys, from: OwedKeys): void {
  for (const [key, cover] of from) if (!into.has(key)) into.set(key, cover);
}

/** What shrinking a set of keys to at most `maxKeys` did. */
export interface ShrunkKeys {
  /** The keys left. */
  readonly keys: OwedKeys;
  /** Row counters replaced by their model's generation. */
  readonly widened: number;
  /** Keys dropped because nothing covers them and the set was still too large. */
  readonly dropped: number;
}

/**
 * Shrinks `owed` to at most `maxKeys` keys: when it is larger, every row counter whose
 * model keeps a generation is replaced by that generation (a whole-model invalidation,
 * never a lost one); keys nothing covers that still do not fit are dropped.
 */
export function shrinkOwed(owed: OwedKeys, maxKeys: number): ShrunkKeys {
  if (owed.size <= maxKeys) return { keys: owed, widened: 0, dropped: 0 };
  const keys: OwedKeys = new Map();
  let widened = 0;
  for (const cover of owed.values()) {
    if (cover === undefined) continue;
    widened++;
    keys.set(cover, undefined);
  }
  let dropped = 0;
  for (const [key, cover] of owed) {
    if (cover !== undefined || keys.has(key)) continue;
    if (keys.size < maxKeys) keys.set(key, undefined);
    else dropped++;
  }
  return { keys, widened, dropped };
}

/**
 * The text stored in the outbox's `version_keys` column: one line per key, the key then
 * its cover after a space (version keys hold no whitespace: they are memcached keys).
 */
export function encodeOwed(owed: OwedKeys): string {
  return [...owed].map(([key, cover]) => (cover === undefined ? key : `${key} ${cover}`)).join('\n');
}

/** Reads a `version_keys` column back (blank lines and extra fields are ignored). */
export function decodeOwed(text: string): OwedKeys {
  const owed: OwedKeys = new Map();
  for (const line of text.split('\n')) {
    const [key, cover] = line.trim().split(/\s+/);
    if (key) owed.set(key, cover || undefined);
  }
  return owed;
}
