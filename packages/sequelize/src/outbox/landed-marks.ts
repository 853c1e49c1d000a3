import { joinKey, type Sweeper, withDeadline } from '@cachesweeper/core';

/** How long a mark stays in the cache: far longer than any writer takes to delete its row. */
export const LANDED_MARK_TTL_SECONDS = 300;

/** The cache key of outbox row `id`'s mark. */
export function landedMarkKey(namespace: string, id: string): string {
  // A quoted key part writes `~` only before four hex digits: a mark never shares a key with a version key.
  return joinKey(namespace, ['~outbox-landed', id]);
}

/**
 * Marks, in the cache itself, outbox rows whose bumps the writer saw land. The writer's
 * DELETE of its row is a database write and may come after `replayAfterMs`: with four
 * busy processes on one SQLite file it did, and the replay bumped the counters a second
 * time, so every process rendered the page again in the middle of a burst. A replayer
 * that finds a row's mark deletes the row without bumping. A mark that is lost (a
 * failed write, an eviction, a server that cannot be read) costs one extra bump, never
 * a stale page: the replayer then bumps as it did before. Nothing here rejects.
 */
export class LandedMarks {
  readonly #sweeper: Sweeper;
  #queued: string[] = [];
  #written: Promise<void> | undefined;

  constructor(sweeper: Sweeper) {
    this.#sweeper = sweeper;
  }

  /**
   * Writes the marks of `ids` on the next turn of the event loop, with those of every
   * commit of this turn in one round; resolves once written, stored or not. A mark is
   * read after `replayAfterMs`, so the writer's `commit()` need not wait for its work.
   */
  mark(ids: readonly string[]): Promise<void> {
    this.#queued.push(...ids);
    this.#written ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        const queued = this.#queued;
        this.#queued = [];
        this.#written = undefined;
        void this.#write(queued).then(
          () => resolve(),
          () => resolve(),
        );
      }),
    );
    return this.#written;
  }

  async #write(ids: readonly string[]): Promise<void> {
    const backend = this.#sweeper.backend;
    const entries = ids.map((id) => ({ key: this.#keyOf(id), value: '1', ttlSeconds: LANDED_MARK_TTL_SECONDS }));
    const writing =
      backend.setMany === undefined
        ? Promise.all(entries.map((entry) => backend.set(entry.key, entry.value, entry.ttlSeconds)))
        : backend.setMany(entries);
    await withDeadline(writing, this.#sweeper.timeoutMs, `${backend.name} set outbox marks`).catch(() => undefined);
  }

  /** Which of `ids` carry a mark; none when the cache cannot say. */
  async landed(ids: readonly string[]): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set();
    const backend = this.#sweeper.backend;
    const reading = backend.getMany(ids.map((id) => this.#keyOf(id)));
    const values = await withDeadline(reading, this.#sweeper.timeoutMs, `${backend.name} get outbox marks`).catch(
      () => [] as (string | undefined)[],
    );
    return new Set(ids.filter((_, index) => values[index] === '1'));
  }

  #keyOf(id: string): string {
    return landedMarkKey(this.#sweeper.namespace, id);
  }
}
