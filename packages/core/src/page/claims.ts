import type { FragmentSlot } from './fragment-slot';

/**
 * This page renders the fragment. When `shared`, its rendering is offered to
 * concurrent pages and stored (misses) until it completes; otherwise it is this
 * page's alone. Either way, exactly one of `complete` or `fail` must be called.
 */
export interface RenderClaim {
  /** The page renders it. */
  readonly role: 'render';
  /** Whether the rendering is stored and shared with concurrent pages. */
  readonly shared: boolean;
  /**
   * Whether this page holds the fragment's fleet-wide lease: the pages of other
   * processes that missed it wait for this rendering. `fail` gives the lease back at once.
   */
  readonly leased: boolean;
  /**
   * Finishes the rendering with its HTML and the cached fragments rendered inside it,
   * one level down (`null` when they are unknown, e.g. it was rendered in place):
   * the stored copy is served only while their counters hold.
   */
  complete(html: string, children: readonly FragmentSlot[] | null): void;
  /** Gives the rendering up; pages waiting for it render their own. */
  fail(error: unknown): void;
}

/** Another page is rendering the fragment; wait for it. */
export interface WaitClaim {
  /** The page waits. */
  readonly role: 'wait';
  /**
   * Who renders it: another page of this `process`, or another process of the `fleet`,
   * which holds the fragment's fleet-wide lease (the wait is bounded: `leases.waitMs`).
   */
  readonly on: 'process' | 'fleet';
  /**
   * The HTML of the other rendering, or `undefined` when it failed, did not arrive in
   * time, or nests fragments at other tokens than this page read: then claim it again
   * with `claimAfterWait` (call it at once, in the same turn).
   */
  readonly rendering: Promise<string | undefined>;
}

/** What a page does about a fragment it did not find in the cache. */
export type Claim = RenderClaim | WaitClaim;
