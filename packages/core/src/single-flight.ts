/**
 * Coalesces concurrent work on one key within one process: while a render of a key
 * is running (and until its write-back has landed), every other caller of that key
 * gets the same promise instead of rendering again.
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>();

  /** The promise of work already running for `key`, if any. */
  join(key: string): Promise<T> | undefined {
    return this.#inflight.get(key);
  }

  /**
   * Runs `work` for `key` and shares it with later `join` callers until `afterwards`
   * (given the result, e.g. the write-back) has settled too.
   */
  lead(key: string, work: () => Promise<T>, afterwards: (value: T) => Promise<unknown>): Promise<T> {
    const running = work();
    this.#inflight.set(key, running);
    const release = () => {
      if (this.#inflight.get(key) === running) this.#inflight.delete(key);
    };
    running.then((value) => afterwards(value).then(release, release), release);
    return running;
  }

  /** How many keys are in flight. */
  get size(): number {
    return this.#inflight.size;
  }
}
