import type { Sequelize } from 'sequelize';

/** Runs `work` and returns the statements `sequelize.query` ran meanwhile (the app's and the installer's). */
export async function statementsDuring(sequelize: Sequelize, work: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  const query = sequelize.query;
  sequelize.query = ((sql: string | { query: string; values: unknown[] }, options?: object) => {
    statements.push(typeof sql === 'string' ? sql : sql.query);
    return query.call(sequelize, sql, options);
  }) as typeof sequelize.query;
  try {
    await work();
  } finally {
    sequelize.query = query;
  }
  return statements;
}

/** Runs `work` and returns the SELECT statements `sequelize` ran meanwhile (the app's and the installer's). */
export async function selectsDuring(sequelize: Sequelize, work: () => Promise<unknown>): Promise<string[]> {
  return (await statementsDuring(sequelize, work)).filter((sql) => /^\s*SELECT\b/i.test(sql));
}

/**
 * Makes the installer's raw SELECTs from the Comments table reject with `message` (the
 * app's finds pass a model, the installer's queries do not); returns the undo.
 */
export function failCommentReads(sequelize: Sequelize, message: string): () => void {
  const query = sequelize.query;
  sequelize.query = ((sql: string, options?: object) =>
    (options as { model?: unknown } | undefined)?.model === undefined && /^SELECT .* FROM .*Comments/.test(sql)
      ? Promise.reject(new Error(message))
      : query.call(sequelize, sql, options)) as typeof sequelize.query;
  return () => {
    sequelize.query = query;
  };
}
