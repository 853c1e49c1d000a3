import type { Sequelize } from 'sequelize';

const HOOK = 'cachesweeper-bench-census';

/**
 * Counts the SQL statements `work` runs on `sequelize`. Used in untimed census
 * passes only: the counting hook is removed before anything is timed.
 */
export async function countQueries<T>(
  sequelize: Sequelize,
  work: () => Promise<T>,
): Promise<{ queries: number; value: T }> {
  let queries = 0;
  sequelize.addHook('beforeQuery', HOOK, () => {
    queries++;
  });
  try {
    const value = await work();
    return { queries, value };
  } finally {
    sequelize.removeHook('beforeQuery', HOOK);
  }
}
