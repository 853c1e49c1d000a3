import { LRUCache } from 'lru-cache';
import { livesWithin } from '../fragments/lives-within';
import type { NestedToken, PlannedFragment } from '../types';

/** What a process remembers of a fragment: the key it last had, and the fragments its last rendering nested. */
export interface FragmentHint {
  /** The key the fragment was last found or rendered under. */
  lastKey?: string;
  /** The row counter that key holds, when the fragment's token has one. */
  lastCounter?: string;
  /** The key it has one bump past `after` (its `lastCounter` then), built once for every page that guesses it. */
  nextKey?: { readonly after: string; readonly key: string };
  /** The cached fragments its last rendering held, one level down. */
  nested?: readonly PlannedFragment[];
  /**
   * The counters of those of `nested` declared within the fragment's own row; empty when
   * none is, and its contents counter then matters nothing to it.
   */
  withinCounters?: ReadonlySet<string>;
  /** The counters its last stored copy depends on (the fragments nested in it, at any depth). */
  nestedCounters?: readonly string[];
  /** The decoded header `nestedCounters` was taken from. */
  nestedFrom?: readonly NestedToken[];
}

/** Most fragments a single hint lists as nested; a rendering with more is not remembered. */
const MAX_NESTED_PER_HINT = 10_000;

/**
 * A bounded, per-process memory of fragments, so a lookup can read ahead: the
 * fragment under the key it had last time, in the same round as its token, and the
 * tokens and fragments of the blocks nested in it, so a missed outer block finds
 * its inner blocks already read. Hints only decide what to read; whether a fragment
 * read is served is decided by the tokens read with it, so a wrong hint costs bytes,
 * never freshness.
 */
export class FragmentHints {
  readonly #cache: LRUCache<string, FragmentHint>;
  /** Each planned fragment's identity, built once: a recipe's blocks are planned once and looked up on every page. */
  readonly #identities = new WeakMap<PlannedFragment, string>();

  /** Remembers up to `maxFragments` fragments, and ten times as many nested references in all. */
  constructor(maxFragments: number) {
    this.#cache = new LRUCache<string, FragmentHint>({
      max: maxFragments,
      maxSize: maxFragments * 10,
      maxEntrySize: Math.min(MAX_NESTED_PER_HINT, maxFragments * 10),
      sizeCalculation: (hint) => 1 + (hint.nested?.length ?? 0) + (hint.nestedCounters?.length ?? 0),
    });
  }

  /** The hint for a fragment, if the process has one. */
  get(fragment: PlannedFragment): FragmentHint | undefined {
    return this.#cache.get(this.#identity(fragment));
  }

  /**
   * Notes what a lookup found: the key the fragment has now (it is found or rendered
   * under it) and, when a stored copy was read, the counters that copy depends on, so
   * the next lookup reads them with its token.
   */
  noteLookup(
    fragment: PlannedFragment,
    key: string,
    nested: readonly NestedToken[] | undefined,
    counter?: string,
  ): void {
    const id = this.#identity(fragment);
    const hint = this.#cache.get(id);
    // A decoder hands back the same array while the stored header is unchanged.
    const unchanged = hint?.nestedFrom === nested || (nested?.length === 0 && hint?.nestedCounters?.length === 0);
    if (nested === undefined || unchanged) {
      if (hint === undefined)
        this.#cache.set(id, counter === undefined ? { lastKey: key } : { lastKey: key, lastCounter: counter });
      else {
        hint.lastKey = key;
        hint.lastCounter = counter;
      }
      return;
    }
    const nestedCounters = nested.map(([versionKey]) => versionKey);
    // Set again (not mutated) so the cache re-weighs the entry and drops it when too large.
    this.#cache.set(id, { ...hint, lastKey: key, lastCounter: counter, nestedCounters, nestedFrom: nested });
  }

  /** Notes the cached fragments a rendering of `fragment` holds, one level down. */
  noteNested(fragment: PlannedFragment, nested: readonly PlannedFragment[]): void {
    const id = this.#identity(fragment);
    const hint = this.#cache.get(id);
    const { contentsKey } = fragment.plan;
    const withinCounters = new Set<string>();
    for (const inner of nested) {
      const { counterKey } = inner.plan;
      if (counterKey !== undefined && livesWithin(inner, contentsKey)) withinCounters.add(counterKey);
    }
    // Set again (not mutated) so the cache re-weighs the entry and drops it when too large.
    this.#cache.set(id, { ...hint, nested, withinCounters });
  }

  #identity(fragment: PlannedFragment): string {
    let id = this.#identities.get(fragment);
    if (id === undefined) {
      id = identity(fragment);
      this.#identities.set(fragment, id);
    }
    return id;
  }
}

/** A fragment's key up to its token; quoted segments hold no spaces, so the join is unambiguous. */
function identity(fragment: PlannedFragment): string {
  return `${fragment.quoted.head} ${fragment.quoted.tail}`;
}
