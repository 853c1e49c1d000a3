import type { Sequelize } from 'sequelize';

const HOOK = 'cachesweeper-bench-census';
/** The outbox replayer's looks for due rows: `SELECT … FROM …cachesweeper_outbox…`. */
const OUTBOX_POLL = /^\s*SELECT\b[^;]*\bFROM\b[^;]*cachesweeper_outbox/i;

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
 * passes only: the counting hooks are removed before anything is timed. The outbox
 * replayer's background polls are left out (its rows' INSERT and DELETE are counted).
 */
export async function countQueries<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<SqlCount & { value: T }> {
  let queries = 0;
  let sequential = 0;
  let running = 0;
  const started = new WeakSet<object>();
  const startedAlone = new WeakSet<object>();
  sequelize.addHook('beforeQuery', HOOK, (_options: unknown, query: object) => {
    started.add(query);
    if (running === 0) startedAlone.add(query);
    running++;
  });
  // Counted when they finish: the work awaited its own statements, so one still running
  // when it returns was someone else's.
  sequelize.addHook('afterQuery', HOOK, (_options: unknown, query: object) => {
    if (!started.has(query)) return;
    running--;
    const { sql } = query as { sql?: unknown };
    // The outbox's replayer polls its table on a timer in every process, whatever the page does.
    if (typeof sql === 'string' && OUTBOX_POLL.test(sql)) return;
    queries++;
    if (startedAlone.has(query)) sequential++;
  });
  try {
    const value = await work();
    return { queries, sequential, value };
  } finally {
    sequelize.removeHook('beforeQuery', HOOK);
    sequelize.removeHook('afterQuery', HOOK);
  }
}
