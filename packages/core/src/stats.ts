/** Counters a Sweeper keeps; a per-page copy can be collected with `sweeper.session({ stats })`. */
export interface SweeperStats {
  /** Fragments served from the cache. */
  hits: number;
  /**
   * Of `hits`, the fragments kept from an outdated copy of the block around them: their rows
   * within its row unchanged since it, as the contents records show (see `SessionOptions.keepsUnchanged`).
   */
  kept: number;
  /** Fragments looked up and not found (rendered, or joined a render already running). */
  misses: number;
  /** Fragments rendered without the cache: it failed, timed out, or a token could not be read. */
  uncached: number;
  /** Renders run for missed fragments (misses minus those that joined a running render). */
  renders: number;
  /** Fragments written to the cache. */
  stores: number;
  /** Rows invalidated (per target, after coalescing). */
  invalidations: number;
  /** Backend failures and missed deadlines, each also reported to `onError`. */
  errors: number;
  /** Sequential waits on the backend; a batch of parallel calls counts once (a lease wait's polls count each). */
  roundTrips: number;
  /**
   * Round trips that wrote rendered fragments (counted in `roundTrips` too): the
   * background write after a page (or the write in place of `fragmentSync`).
   */
  writeRoundTrips: number;
  /**
   * Fragments queued for the background write: it runs after the page is served, one
   * round for every fragment queued in the same turn (`stores` counts those written).
   */
  queuedStores: number;
  /** Missed fragments this process waited for while another process held their fleet-wide lease and rendered them. */
  leaseWaits: number;
  /** Of those waits, the ones that ended without the fragment (the holder was slow, failed or died): rendered here. */
  leaseTimeouts: number;
}

/** A fresh set of zeroed counters, e.g. to collect one page's figures. */
export function createStats(): SweeperStats {
  return {
    hits: 0,
    kept: 0,
    misses: 0,
    uncached: 0,
    renders: 0,
    stores: 0,
    invalidations: 0,
    errors: 0,
    roundTrips: 0,
    writeRoundTrips: 0,
    queuedStores: 0,
    leaseWaits: 0,
    leaseTimeouts: 0,
  };
}

/** Adds `amount` to counter `name` of every set in `sinks` (undefined entries are skipped). */
export function countInto(sinks: readonly (SweeperStats | undefined)[], name: keyof SweeperStats, amount = 1): void {
  for (const sink of sinks) if (sink !== undefined) sink[name] += amount;
}
