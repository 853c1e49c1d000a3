/** How often one server is probed and flushed. */
export interface PacingSettings {
  /** The first probe of a server that went down, in ms after it went down. */
  readonly retryMs: number;
  /** The longest wait between two probes, in ms. */
  readonly maxRetryMs: number;
  /** The shortest time between two flushes of the server by this process, in ms. */
  readonly minFlushIntervalMs: number;
}

/**
 * When a down server is probed next, and when it may be flushed again.
 *
 * Probes: the first comes `retryMs` after the server went down; each failed probe
 * doubles the wait, up to `maxRetryMs`. A server that goes down again less than
 * `maxRetryMs` after it came back starts where its last outage left off: a server
 * that keeps failing is probed less and less often, and only staying up `maxRetryMs`
 * brings it back to `retryMs`. A server whose probes keep answering is taken back
 * after `retryMs` each time, however often its link stalls: nothing is flushed when
 * it returns (see `ServerSlot`), and the hits it serves between two stalls are worth
 * the one deadline its next stall costs the pages in flight.
 *
 * Flushes: `flush_all` empties the server for every process that shares it, so one
 * process never flushes it more often than once per `minFlushIntervalMs`; a server
 * that needs a flush sooner stays out of use until then.
 *
 * @example
 * const pacing = new RejoinPacing({ retryMs: 2000, maxRetryMs: 30_000, minFlushIntervalMs: 30_000 });
 * pacing.wentDown(Date.now());
 * setTimeout(probe, pacing.nextProbeInMs());
 */
export class RejoinPacing {
  readonly #settings: PacingSettings;
  #level = 0;
  #upSince: number | undefined;
  #lastFlush = Number.NEGATIVE_INFINITY;

  constructor(settings: PacingSettings) {
    this.#settings = settings;
  }

  /** The server went down at `now`. */
  wentDown(now: number): void {
    const flapped = this.#upSince !== undefined && now - this.#upSince < this.#settings.maxRetryMs;
    if (!flapped) this.#level = 0;
    this.#upSince = undefined;
  }

  /** A probe (or the repair after it) failed: the next one waits longer. */
  probeFailed(): void {
    this.#level += 1;
  }

  /** The server is in use again from `now`. */
  cameBack(now: number): void {
    this.#upSince = now;
  }

  /** How long to wait before the next probe, in ms. */
  nextProbeInMs(): number {
    const { retryMs, maxRetryMs } = this.#settings;
    // 2^level overflows to Infinity past level 1023; Math.min still caps it.
    return Math.min(maxRetryMs, retryMs * 2 ** this.#level);
  }

  /** How long before this process may flush the server again, in ms; 0 when it may now. */
  flushAllowedInMs(now: number): number {
    return Math.max(0, this.#lastFlush + this.#settings.minFlushIntervalMs - now);
  }

  /** This process flushed the server at `now`. */
  flushed(now: number): void {
    this.#lastFlush = now;
  }
}
