/**
 * Acknowledgements of outbox rows whose bumps landed, gathered for `delayMs` into one
 * DELETE (on SQLite each DELETE is a write transaction of its own, with its own sync
 * to disk). A row whose acknowledgement is lost (a failed DELETE, a process that exits
 * first) is replayed later by some process: one extra bump, never a stale page.
 */
export class Acknowledgements {
  readonly #delete: (ids: readonly string[]) => Promise<void>;
  readonly #delayMs: number;
  readonly #report: (error: unknown) => void;
  #ids = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(remove: (ids: readonly string[]) => Promise<void>, delayMs: number, report: (error: unknown) => void) {
    this.#delete = remove;
    this.#delayMs = delayMs;
    this.#report = report;
  }

  /** Queues rows for deletion within `delayMs`. */
  add(ids: readonly string[]): void {
    for (const id of ids) this.#ids.add(id);
    if (this.#ids.size > 0 && this.#timer === undefined && this.#flushing === undefined) this.#schedule();
  }

  /** Rows queued and not yet deleted. */
  get queued(): number {
    return this.#ids.size;
  }

  /** Deletes every queued row now, and resolves once no deletion is left (failures are reported). */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined || this.#ids.size > 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await (this.#flushing ?? this.#run());
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#flushing === undefined && this.#ids.size > 0) void this.#run();
    }, this.#delayMs);
    this.#timer.unref();
  }

  #run(): Promise<void> {
    const ids = [...this.#ids];
    this.#ids = new Set();
    const flushing = this.#delete(ids)
      .catch((error: unknown) => this.#report(error))
      .finally(() => {
        this.#flushing = undefined;
        if (this.#ids.size > 0 && this.#timer === undefined) this.#schedule();
      });
    this.#flushing = flushing;
    return flushing;
  }
}
