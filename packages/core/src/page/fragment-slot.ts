import type { FragmentLease, FragmentLookup, NestedToken, PlannedFragment, StoredFragment } from '../types';

/** Where a fragment of a page stands: served from the cache, to render and store, or to render without the cache. */
export type SlotStatus = 'hit' | 'miss' | 'uncached';

/**
 * One fragment of one page, as its lookup found it. A renderer serves `html` on a
 * hit, and otherwise claims the fragment from the page's session to render it (or
 * wait for another page's rendering). `nested` is kept by the session: the counters
 * of the cached fragments inside this one, with the tokens they had, once known.
 */
export class FragmentSlot {
  /** The checked request. */
  readonly planned: PlannedFragment;
  /** The key a rendering is stored under; `undefined` when the cache cannot be used for it. */
  readonly key: string | undefined;
  /** The cached HTML on a hit. */
  readonly html: string | undefined;
  /** On a hit, how long its rendering took (µs), when that was stored with it. */
  readonly renderMicros: number | undefined;
  /** On a miss, the fleet-wide lease the lookup took (`won`) or found held elsewhere (`taken`), if any. */
  readonly lease: FragmentLease | undefined;
  /** On a miss, the copy stored under its key whose nested counters no longer hold, if one was read. */
  readonly outdated: StoredFragment | undefined;
  /**
   * For a fragment kept from an outdated copy of the one around it (`SweeperSession.keep`):
   * the contents counter whose records show it unchanged, which it is recorded by, and
   * the token of its row counter it was rendered with.
   */
  readonly kept: { readonly within: string; readonly counterToken: string } | undefined;
  /**
   * The counters of the cached fragments inside it, at any depth, with their tokens:
   * from its stored copy on a hit, from its children once rendered; `null` when one
   * could not be keyed (then nothing around it can be stored); `undefined` until known.
   */
  nested: readonly NestedToken[] | null | undefined;

  /** A slot for `planned` as a lookup found it. */
  constructor(planned: PlannedFragment, found: FragmentLookup, kept?: FragmentSlot['kept']) {
    this.planned = planned;
    this.key = found.key;
    this.html = found.html;
    this.renderMicros = found.renderMicros;
    this.lease = found.lease;
    this.outdated = found.outdated;
    this.kept = kept;
    this.nested = found.key === undefined ? null : found.html === undefined ? undefined : (found.nested ?? []);
  }

  /** Where the fragment stands. */
  get status(): SlotStatus {
    if (this.key === undefined) return 'uncached';
    return this.html === undefined ? 'miss' : 'hit';
  }
}
