import type { Sequelize } from 'sequelize';

/** Runs `work` and returns the SELECT statements `sequelize` ran meanwhile (the app's and the installer's). */
export async function selectsDuring(sequelize: Sequelize, work: () => Promise<unknown>): Promise<string[]> {
  const selects: string[] = [];
  const query = sequelize.query;
  sequelize.query = ((sql: string, options?: object) => {
    if (/^\s*SELECT\b/i.test(sql)) selects.push(sql);
    return query.call(sequelize, sql, options);
  }) as typeof sequelize.query;
  try {
    await work();
  } finally {
    sequelize.query = query;
  }
  return selects;
}
