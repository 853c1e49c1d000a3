import type { NestedToken } from './fragment-value';

/** A finished rendering of a fragment: its HTML and the counters of the fragments nested in it (`null`: unknown). */
export interface RenderedFragment {
  readonly html: string;
  readonly nested: readonly NestedToken[] | null;
}

/** Where the rendering of a key stands in this process. */
export type FlightState =
  | { readonly kind: 'running'; readonly rendering: Promise<RenderedFragment> }
  | {
      readonly kind: 'settled';
      readonly rendered: RenderedFragment;
      /** When its write-back settled (`performance.now()`); `undefined` while it is being written. */
      readonly landedAt: number | undefined;
    };

interface Flight {
  readonly rendering: Promise<RenderedFragment>;
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
export class FragmentFlights {
  readonly #flights = new Map<string, Flight>();
  readonly #graceMs: number;

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /** The rendering of `key` running or recently finished here, if any. */
  state(key: string): FlightState | undefined {
    const flight = this.#flights.get(key);
    if (flight === undefined) return undefined;
    return flight.rendered === undefined
      ? { kind: 'running', rendering: flight.rendering }
      : { kind: 'settled', rendered: flight.rendered, landedAt: flight.landedAt };
  }

  /** Runs `work` for `key` (replacing a finished rendering), then `afterwards` (the write-back) with its result. */
  lead(
    key: string,
    work: () => Promise<RenderedFragment>,
    afterwards: (rendered: RenderedFragment) => Promise<unknown>,
  ): Promise<RenderedFragment> {
    const rendering = work();
    const flight: Flight = { rendering };
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

  /** Forgets every rendering (on close). */
  clear(): void {
    this.#flights.clear();
  }

  /** How many keys are held. */
  get size(): number {
    return this.#flights.size;
  }
}
