import type { RenderedFragment } from '../types';

/**
 * A flight that is not (yet) a rendering of this process but a wait for another
 * process's (which holds the fragment's fleet-wide lease). A page of this process
 * that wins the lease after all renders it, and its rendering settles the wait.
 */
export interface ProcessWait {
  /** Settles the wait with `rendering`, made by a page of this process. */
  adopt(rendering: Promise<RenderedFragment>): void;
}

/** Where the rendering of a key stands in this process (`waiting`: the flight waits for another process). */
export type FlightState =
  | { readonly kind: 'running'; readonly rendering: Promise<RenderedFragment>; readonly waiting?: ProcessWait }
  | { readonly kind: 'settled'; readonly rendered: RenderedFragment };

interface Flight {
  readonly rendering: Promise<RenderedFragment>;
  waiting?: ProcessWait | undefined;
  rendered?: RenderedFragment;
  landedAt?: number;
}

/**
 * Renderings of missed fragments in this process, by key, so concurrent misses share
 * one. A finished rendering stays here until its write has landed and `graceMs` more
 * have passed, for pages that began before the write landed (their lookup may have
 * read the cache just before it); a page that began later and still missed saw the
 * entry gone (evicted, deleted, flushed, refused) and renders. Callers check a
 * rendering's nested counters against their own snapshot before using it (a
 * fragment's key does not hold them).
 */
export class SharedRenderings {
  readonly #flights = new Map<string, Flight>();
  readonly #graceMs: number;

  /** Keeps finished renderings `graceMs` after their write landed. */
  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /**
   * The rendering of `key` running or recently finished here, if any, for a page that
   * began at `pageStartedAt` (`performance.now()`): a rendering whose write landed
   * before that page began is not offered to it.
   */
  state(key: string, pageStartedAt: number): FlightState | undefined {
    const flight = this.#flights.get(key);
    if (flight === undefined) return undefined;
    if (flight.rendered === undefined) {
      return flight.waiting === undefined
        ? { kind: 'running', rendering: flight.rendering }
        : { kind: 'running', rendering: flight.rendering, waiting: flight.waiting };
    }
    if (flight.landedAt !== undefined && flight.landedAt <= pageStartedAt) return undefined;
    return { kind: 'settled', rendered: flight.rendered };
  }

  /**
   * Runs `work` for `key` (replacing a finished rendering, or a wait taken over), then
   * `afterwards` (the write-back) with its result. With `waiting`, the work is a wait
   * for another process's rendering, until `stopWaiting`.
   */
  lead(
    key: string,
    work: () => Promise<RenderedFragment>,
    afterwards: (rendered: RenderedFragment) => Promise<unknown>,
    waiting?: ProcessWait,
  ): Promise<RenderedFragment> {
    const rendering = work();
    const flight: Flight = { rendering, waiting };
    this.#flights.set(key, flight);
    const release = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    const releaseLater = () => {
      flight.landedAt = performance.now();
      setTimeout(release, this.#graceMs).unref();
    };
    rendering.then((rendered) => {
      flight.rendered = rendered;
      afterwards(rendered).then(releaseLater, releaseLater);
    }, release);
    return rendering;
  }

  /** Marks the flight of `rendering` as a rendering of this process: the wait for another process is over. */
  stopWaiting(key: string, rendering: Promise<RenderedFragment>): void {
    const flight = this.#flights.get(key);
    if (flight?.rendering === rendering) flight.waiting = undefined;
  }

  /** Forgets every rendering (on close). */
  clear(): void {
    this.#flights.clear();
  }

  /** How many keys are held. */
  get size(): number {
    return this.#flights.size;
  }
}
