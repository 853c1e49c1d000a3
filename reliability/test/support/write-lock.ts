/**
 * One writer at a time, as SQLite allows: concurrent write transactions on separate
 * connections would spend their time in SQLite's busy handler. Renders never take it.
 */
export class WriteLock {
  #tail: Promise<void> = Promise.resolve();

  /** Waits for the lock; resolves with its release function (idempotent). */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => released);
    await previous;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  }
}
