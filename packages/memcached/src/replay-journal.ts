import type { Replay } from './call-contract';

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
  readonly #entries = new Map<string, Replay>();
  #needsFlush = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Writes waiting to be sent again. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether a write may have been lost that cannot be replayed: the server must be flushed before it is used. */
  get needsFlush(): boolean {
    return this.#needsFlush;
  }

  /** Remembers `replay`; the last write of a key stands for the earlier ones (one bump invalidates as well as two). */
  remember(replay: Replay): void {
    if (this.#needsFlush) return;
    if (!this.#entries.has(replay.key) && this.#entries.size >= this.#limit) {
      this.loseTrack();
      return;
    }
    this.#entries.delete(replay.key); // keep the order of the writes
    this.#entries.set(replay.key, replay);
  }

  /** Gives up on replaying: the server will be flushed before it is used again. */
  loseTrack(): void {
    this.#needsFlush = true;
    this.#entries.clear();
  }

  /** A snapshot of the writes to send again, oldest first. */
  pending(): Replay[] {
    return [...this.#entries.values()];
  }

  /** `replay` was sent again and answered; a later write of the same key stays remembered. */
  settled(replay: Replay): void {
    if (this.#entries.get(replay.key) === replay) this.#entries.delete(replay.key);
  }

  /** The server was flushed: nothing it held can be stale, nothing is left to replay. */
  flushed(): void {
    this.#needsFlush = false;
    this.#entries.clear();
  }
}
