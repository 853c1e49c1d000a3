import type { Sequelize } from 'sequelize';

const HOOK = 'cachesweeper-bench-census';

/** The SQL a piece of work ran. */
export interface SqlCount {
  /** Statements sent. */
  readonly queries: number;
  /**
   * Statements that started while no other was running: the length of the chain
   * of round trips the work waited for (statements sent together, e.g. under
   * `Promise.all`, count once). Over TCP each one costs at least a network round trip.
   */
  readonly sequential: number;
}

/**
 * Counts the SQL statements `work` runs on `sequelize`. Used in untimed census
 * passes only: the counting hooks are removed before anything is timed.
 */
export async function countQueries<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<SqlCount & { value: T }> {
  let queries = 0;
  let sequential = 0;
  let running = 0;
  sequelize.addHook('beforeQuery', HOOK, () => {
    if (running === 0) sequential++;
    running++;
    queries++;
  });
  sequelize.addHook('afterQuery', HOOK, () => {
    running--;
  });
  try {
    const value = await work();
    return { queries, sequential, value };
  } finally {
    sequelize.removeHook('beforeQuery', HOOK);
    sequelize.removeHook('afterQuery', HOOK);
  }
}
