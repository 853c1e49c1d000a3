/**
 * Types shared across core's modules. This file imports nothing, so no module can
 * form an import cycle through it.
 */

/** A value that may be part of a key: the extra parts of a fragment, a primary key, an attribute token. */
export type KeyPart = string | number | bigint | boolean | Date | null | undefined;

/** A fragment key quoted up to its token: `head` goes before it, `tail` after it. */
export interface QuotedFragment {
  /** `<Model>:<pk>`, quoted: also the body of the row's version key. */
  readonly head: string;
  /** `<digest>:<part>:…`, quoted. */
  readonly tail: string;
}

/** The cache keys a target's token needs, and the part of it read from the row itself. */
export interface TokenPlan {
  /** The per-row counter key, when the model keeps one. */
  readonly counterKey: string | undefined;
  /** The per-model generation key, when the model keeps one. */
  readonly generationKey: string | undefined;
  /** The quoted attribute value, when the model uses one. */
  readonly attributePart: string | undefined;
  /**
   * The row's contents counter (`contentsKey`), when rows of other models are declared
   * `within` its model: read with the token, never part of it; a block that nests rows
   * within it records it as a nested token instead of their counters.
   */
  readonly contentsKey?: string;
}

/** A fragment request whose target, token plan and key parts have been checked. */
export interface PlannedFragment {
  /** The model name. */
  readonly model: string;
  /** The primary key (`undefined` for a whole model). */
  readonly id: KeyPart | readonly KeyPart[];
  /** True when the fragment is about the whole model (`{ model }`), not one row. */
  readonly wholeModel?: true;
  /** Which keys the token needs. */
  readonly plan: TokenPlan;
  /** The key, quoted but for its token. */
  readonly quoted: QuotedFragment;
  /** Lifetime of the fragment, clamped to the lifetime of version keys. */
  readonly ttlSeconds: number;
  /**
   * The contents counters of the rows this row is declared `within`, as its target names
   * them: a block of one of those rows that nests this fragment records that counter
   * rather than this row's, since invalidating this row bumps it too.
   */
  readonly within?: readonly string[];
}

/** A version key and the token it held when a fragment was rendered. */
export type NestedToken = readonly [versionKey: string, token: string];

/** A fragment as stored: its HTML and the counters of the cached fragments rendered inside it. */
export interface StoredFragment {
  /** The HTML to serve. */
  readonly html: string;
  /** The counter of every cached fragment nested in it (at any depth), as rendered; served only while all still hold. */
  readonly nested: readonly NestedToken[];
  /** How long its rendering took (µs), when it was measured (telemetry on). */
  readonly renderMicros?: number | undefined;
  /** When the cache drops it, in Unix seconds of the writer's clock (a fragment with a TTL); a local copy is not served past it. */
  readonly expiresAt?: number | undefined;
}

/**
 * The fleet-wide lease a page's lookup found on a missed fragment: `won`, this page
 * renders it for every process (and gives the lease back, by its stamp, if it cannot
 * store it); `taken`, another client holds it and is rendering it.
 */
export type FragmentLease = { readonly state: 'won'; readonly stamp: string } | { readonly state: 'taken' };

/** Where a fragment stands after a lookup. */
export interface FragmentLookup {
  /** The key to store a rendering under; `undefined` when the cache cannot be used for it (render uncached). */
  readonly key: string | undefined;
  /** The cached HTML on a hit. */
  readonly html: string | undefined;
  /** On a hit, the counters of the cached fragments nested in it, with the tokens they held (and still hold). */
  readonly nested?: readonly NestedToken[];
  /** On a hit, how long its rendering took (µs), when that was stored with it. */
  readonly renderMicros?: number | undefined;
  /** On a miss, the fleet-wide lease the lookup took or found, if the backend offers leases. */
  readonly lease?: FragmentLease;
  /**
   * On a miss, the copy stored under the key whose nested counters no longer hold: a
   * renderer may keep the parts of it that `SweeperSession.rowsChangedIn` shows unchanged.
   */
  readonly outdated?: StoredFragment;
}

/** A finished rendering of a fragment: its HTML and the counters of the fragments nested in it (`null`: unknown). */
export interface RenderedFragment {
  /** The HTML. */
  readonly html: string;
  /** The counters of the cached fragments inside it, with their tokens; `null` when one could not be keyed. */
  readonly nested: readonly NestedToken[] | null;
  /** How long the rendering took (µs), when measured (telemetry on). */
  readonly renderMicros?: number | undefined;
}
