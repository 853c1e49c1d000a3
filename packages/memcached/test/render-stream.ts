import type { CacheBackend, Sweeper } from '@cachesweeper/core';

/** A render that showed data older than what was committed when it started. */
export interface StaleRender {
  readonly phase: string;
  readonly row: number;
  /** The version the fragment showed. */
  readonly shown: number;
  /** The latest version committed (invalidation done) when the render started. */
  readonly committed: number;
}

/** What happened in one phase of a stream. */
export interface PhaseReport {
  renders: number;
  failedRenders: number;
  hits: number;
  invalidations: number;
  slowestRenderMs: number;
  slowestInvalidationMs: number;
  readonly stale: StaleRender[];
  /** Version keys invalidated in this phase. */
  readonly invalidatedKeys: string[];
}

/** Options of a render stream. */
export interface StreamOptions {
  /** Rows of the fake table. */
  readonly rows: number;
  /** Concurrent render loops. */
  readonly renderers: number;
  /** Milliseconds between two writes of the single writer. */
  readonly writeEveryMs: number;
  /** The version key of a row, to report which keys were invalidated. */
  readonly versionKeyOf: (row: number) => string;
}

/**
 * A stream of page renders and row writes against a Sweeper, with a precise
 * definition of "stale": a write commits a row's new version, then invalidates it;
 * once `invalidate` has resolved the version counts as committed. A render records
 * the committed version of its row when it starts and the version its fragment
 * shows; if the shown one is older, the render was stale. Renders load the row
 * inside the render callback (after the token is read), as the Sweeper asks.
 */
export class RenderStream {
  /** Label of the renders and writes from now on. */
  phase = 'start';
  readonly #sweeper: Sweeper;
  readonly #options: StreamOptions;
  readonly #data = new Map<number, number>();
  readonly #committed = new Map<number, number>();
  readonly #phases = new Map<string, PhaseReport>();
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(sweeper: Sweeper, options: StreamOptions) {
    this.#sweeper = sweeper;
    this.#options = options;
    for (let row = 0; row < options.rows; row++) {
      this.#data.set(row, 1);
      this.#committed.set(row, 1);
    }
  }

  /** Starts the render loops and the writer. */
  start(): void {
    this.#running = true;
    this.#loops = [...Array.from({ length: this.#options.renderers }, () => this.#renderLoop()), this.#writeLoop()];
  }

  /** Stops every loop and waits for the calls in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  /** The report of one phase (all zero if nothing ran in it). */
  report(phase: string): PhaseReport {
    return this.#report(phase);
  }

  #report(phase: string): PhaseReport {
    let report = this.#phases.get(phase);
    if (report === undefined) {
      report = {
        renders: 0,
        failedRenders: 0,
        hits: 0,
        invalidations: 0,
        slowestRenderMs: 0,
        slowestInvalidationMs: 0,
        stale: [],
        invalidatedKeys: [],
      };
      this.#phases.set(phase, report);
    }
    return report;
  }

  async #renderLoop(): Promise<void> {
    while (this.#running) {
      const row = Math.floor(Math.random() * this.#options.rows);
      const report = this.#report(this.phase);
      const committed = this.#committed.get(row)!;
      let rendered = false;
      const started = performance.now();
      try {
        const html = await this.#sweeper.fragment({ model: 'Row', id: row }, 0, ['row'], () => {
          rendered = true;
          return `row ${row} v${this.#data.get(row)}`;
        });
        const shown = Number(/ v(\d+)$/.exec(html)?.[1]);
        if (!(shown >= committed)) report.stale.push({ phase: this.phase, row, shown, committed });
        if (!rendered) report.hits += 1;
      } catch {
        report.failedRenders += 1;
      }
      report.renders += 1;
      report.slowestRenderMs = Math.max(report.slowestRenderMs, performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async #writeLoop(): Promise<void> {
    while (this.#running) {
      const row = Math.floor(Math.random() * this.#options.rows);
      const report = this.#report(this.phase);
      const version = this.#data.get(row)! + 1;
      this.#data.set(row, version); // the write commits
      const started = performance.now();
      await this.#sweeper.invalidate({ model: 'Row', id: row }); // never rejects on cache failure
      report.slowestInvalidationMs = Math.max(report.slowestInvalidationMs, performance.now() - started);
      report.invalidations += 1;
      report.invalidatedKeys.push(this.#options.versionKeyOf(row));
      this.#committed.set(row, Math.max(this.#committed.get(row)!, version));
      await new Promise((resolve) => setTimeout(resolve, this.#options.writeEveryMs));
    }
  }
}

/**
 * A backend that times every call it passes on: `slowest` is the longest call seen so
 * far but counter writes (`incr`, `delete`, which have a deadline of their own),
 * `slowestCounterWrite` the longest of those.
 */
export function timedBackend(backend: CacheBackend): {
  backend: CacheBackend;
  slowest(): number;
  slowestCounterWrite(): number;
  calls(): number;
} {
  let slowest = 0;
  let slowestCounterWrite = 0;
  let calls = 0;
  const time =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>, counterWrite = false) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      calls += 1;
      try {
        return await call(...args);
      } finally {
        const ms = performance.now() - started;
        if (counterWrite) slowestCounterWrite = Math.max(slowestCounterWrite, ms);
        else slowest = Math.max(slowest, ms);
      }
    };
  return {
    backend: {
      name: backend.name,
      maxValueBytes: backend.maxValueBytes,
      get: time((key) => backend.get(key)),
      getMany: time((keys) => backend.getMany(keys)),
      set: time((key, value, ttl) => backend.set(key, value, ttl)),
      ...(backend.setMany === undefined ? {} : { setMany: time((entries) => backend.setMany!(entries)) }),
      add: time((key, value, ttl) => backend.add(key, value, ttl)),
      incr: time((key, by) => backend.incr(key, by), true),
      delete: time((key) => backend.delete(key), true),
      close: () => backend.close(),
    },
    slowest: () => slowest,
    slowestCounterWrite: () => slowestCounterWrite,
    calls: () => calls,
  };
}
