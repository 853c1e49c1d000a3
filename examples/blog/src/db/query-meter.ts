import { AsyncLocalStorage } from 'node:async_hooks';

/** What a blog process's SQL looked like, for `GET /_cachesweeper/stats`. */
export interface QueryFigures {
  /** SQL statements sent, every one (reads, writes, transactions). */
  sql: number;
  /** Of those, statements sent by the page loaders (what a cached block loads on a miss). */
  loader: number;
  /** Loader calls started (a call may share its batched query with others). */
  loaderCalls: number;
}

/** Counts SQL statements, and which of them page loaders sent. One per app. */
export interface QueryMeter {
  /** The counts so far (a copy). */
  figures(): QueryFigures;
  /** Sequelize's `logging` option: called once per statement, in the async context that sent it. */
  readonly onQuery: (sql: string) => void;
  /** Runs a loader, counting the call and attributing the statements sent under it. */
  inLoader<T>(load: () => Promise<T>): Promise<T>;
}

/** A meter with zeroed counts. */
export function createQueryMeter(): QueryMeter {
  const counts: QueryFigures = { sql: 0, loader: 0, loaderCalls: 0 };
  // Sequelize logs a statement where it is sent, so the loader that caused it (even
  // through a batch another call started) is the one whose context is current.
  const loading = new AsyncLocalStorage<true>();
  return {
    figures: () => ({ ...counts }),
    onQuery: () => {
      counts.sql += 1;
      if (loading.getStore()) counts.loader += 1;
    },
    inLoader(load) {
      counts.loaderCalls += 1;
      return loading.run(true, load);
    },
  };
}
