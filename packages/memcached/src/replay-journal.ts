import type { CounterReplay, Replay } from './call-contract';

/**
 * The counter writes to one server whose outcome is unknown (sent, not answered in
 * time, connection lost) or that were refused because the server was down: they are
 * sent again before the server is used again. At most `limit` keys are remembered;
 * past that, the journal gives up on them all and asks for a `flush_all` instead (a
 * write may have been lost that can no longer be replayed).
 *
 * `set` and `add` are not remembered. A lost fragment is a miss, rendered again. A
 * lost `add` of a fresh counter leaves the counter missing, and the next read creates
 * one; one that landed unseen holds a fresh value that no fragment was keyed on.
 *
 * @example
 * const journal = new ReplayJournal(10_000);
 * journal.remember({ kind: 'incr', key: 'cs:Article:7', by: 1 });
 * for (const replay of journal.pending()) … journal.settled(replay);
 */
export class ReplayJournal {
  readonly #limit: number;
  readonly #entries = new Map<string, CounterReplay>();
  #lostTrack = false;
  #flushRequested = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Writes waiting to be sent again. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether the server must be flushed before it is used: a write may be lost for good, or `flush()` missed it. */
  get needsFlush(): boolean {
    return this.#lostTrack || this.#flushRequested;
  }

  /** Whether the flush is one the application asked for (`flush()`), rather than a repair. */
  get flushRequested(): boolean {
    return this.#flushRequested;
  }

  /**
   * Remembers `replay`; the last write of a key stands for the earlier ones (one bump
   * invalidates as well as two). A `flush_all` of unknown outcome is requested again.
   */
  remember(replay: Replay): void {
    if (replay.kind === 'flush') {
      this.requestFlush();
      return;
    }
    if (this.needsFlush) return; // the flush will do
    if (!this.#entries.has(replay.key) && this.#entries.size >= this.#limit) {
      this.loseTrack();
      return;
    }
    this.#entries.delete(replay.key); // keep the order of the writes
    this.#entries.set(replay.key, replay);
  }

  /** Gives up on replaying: the server will be flushed before it is used again. */
  loseTrack(): void {
    this.#lostTrack = true;
    this.#entries.clear();
  }

  /** The application's `flush()` could not reach the server: it is flushed before it is used again. */
  requestFlush(): void {
    this.#flushRequested = true;
    this.#entries.clear();
  }

  /** A snapshot of the writes to send again, oldest first. */
  pending(): CounterReplay[] {
    return [...this.#entries.values()];
  }

  /** `replay` was sent again and answered; a later write of the same key stays remembered. */
  settled(replay: CounterReplay): void {
    if (this.#entries.get(replay.key) === replay) this.#entries.delete(replay.key);
  }

  /** The server was flushed: nothing it held can be stale, nothing is left to replay. */
  flushed(): void {
    this.#lostTrack = false;
    this.#flushRequested = false;
    this.#entries.clear();
  }
}
