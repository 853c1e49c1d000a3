import { CacheSweeperError } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import type { QueryGeneratorShape } from '../sequelize-shapes';
import type { ResolvedOutboxOptions } from './outbox-options';

/** The dialects the outbox speaks. */
export type OutboxDialect = 'sqlite' | 'postgres';

/**
 * The outbox's SQL for one dialect and table. Times are milliseconds since the epoch on
 * the database's clock, so processes on hosts whose clocks differ agree on a row's age.
 * Statements take `$n` bind parameters.
 */
export interface OutboxSql {
  /** The table, quoted (schema included). */
  readonly table: string;
  /** CREATE TABLE and CREATE INDEX, each `IF NOT EXISTS`. */
  readonly create: readonly string[];
  /** A row written in the write's transaction: `$1` id, `$2` namespace, `$3` keys; due `replayAfterMs` from now. */
  readonly insert: string;
  /** A coalesced row, claimed at once: `$1` id, `$2` namespace, `$3` keys, `$4` claim; due a lease from now. */
  readonly insertClaimed: string;
  /** Whether a row of namespace `$1` is due (a read, which takes no write lock on SQLite). */
  readonly anyDue: string;
  /** Claims up to `$3` due rows of namespace `$1` for claim `$2` for a lease; returns `id`, `version_keys`. */
  readonly claim: string;
  /** Hands row `$1` back (due now) if claim `$2` still holds it. */
  readonly release: string;
  /** Rows of namespace `$1`, as `n`. */
  readonly count: string;
  /** Deletes the rows whose ids are bound, in one statement. */
  deleteRows(count: number): string;
}

/** The dialect of a Sequelize instance, if the outbox speaks it; throws naming it otherwise. */
export function outboxDialect(sequelize: Sequelize): OutboxDialect {
  const dialect = sequelize.getDialect();
  if (dialect !== 'sqlite' && dialect !== 'postgres') {
    throw new CacheSweeperError(
      'sequelize',
      `options.outbox: the outbox speaks sqlite and postgres, not ${dialect}; leave the option out on this database`,
    );
  }
  if (dialect === 'sqlite' && sqliteStorage(sequelize) === ':memory:') {
    throw new CacheSweeperError(
      'sequelize',
      "options.outbox: an SQLite ':memory:' database lives in one process and shares one connection with its transactions (a replay would see rows before their COMMIT); use a file, or leave the outbox off",
    );
  }
  return dialect;
}

function sqliteStorage(sequelize: Sequelize): string {
  const { options } = sequelize as unknown as { options: { storage?: string; host?: string } };
  return options.storage ?? options.host ?? ':memory:';
}

/** Builds the outbox's statements for a dialect and table. */
export function outboxSql(
  dialect: OutboxDialect,
  generator: QueryGeneratorShape,
  options: ResolvedOutboxOptions,
): OutboxSql {
  const { tableName, schema, replayAfterMs, leaseMs } = options;
  const table = generator.quoteTable(schema === undefined ? tableName : { tableName, schema });
  // PostgreSQL only: an index lives in its table's schema.
  const index = generator.quoteIdentifier(`${tableName}_due`);
  const now =
    dialect === 'postgres'
      ? '(extract(epoch from clock_timestamp()) * 1000)::bigint'
      : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  const types =
    dialect === 'postgres'
      ? { id: 'varchar(36)', name: 'varchar(64)', text: 'text', ms: 'bigint', count: 'integer' }
      : { id: 'TEXT', name: 'TEXT', text: 'TEXT', ms: 'INTEGER', count: 'INTEGER' };
  const skipLocked = dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const columns = 'id, namespace, version_keys, due_at, claim, attempts, created_at';
  const createTable = `CREATE TABLE IF NOT EXISTS ${table} (id ${types.id} PRIMARY KEY, namespace ${types.name} NOT NULL, version_keys ${types.text} NOT NULL, due_at ${types.ms} NOT NULL, claim ${types.id}, attempts ${types.count} NOT NULL DEFAULT 0, created_at ${types.ms} NOT NULL)`;
  return {
    table,
    // SQLite: every b-tree a row goes into is pages its commit journals and writes, and the outbox's
    // INSERT rides on every write transaction (measured: 0.25 ms over a bare vote save, 0.18 ms with one
    // b-tree). So one b-tree, keyed by id: the table holds only the rows not yet acknowledged (deleted
    // within ~100 ms, coalesced by replays while the cache is out), which a replay's scan reads quickly.
    create:
      dialect === 'sqlite'
        ? [`${createTable} WITHOUT ROWID`]
        : [createTable, `CREATE INDEX IF NOT EXISTS ${index} ON ${table} (namespace, due_at)`],
    insert: `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, ${now} + ${replayAfterMs}, NULL, 0, ${now})`,
    insertClaimed: `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, ${now} + ${leaseMs}, $4, 1, ${now})`,
    anyDue: `SELECT id FROM ${table} WHERE namespace = $1 AND due_at <= ${now} LIMIT 1`,
    claim: `UPDATE ${table} SET due_at = ${now} + ${leaseMs}, claim = $2, attempts = attempts + 1 WHERE id IN (SELECT id FROM ${table} WHERE namespace = $1 AND due_at <= ${now} ORDER BY due_at LIMIT $3${skipLocked}) RETURNING id, version_keys`,
    release: `UPDATE ${table} SET due_at = ${now}, claim = NULL WHERE id = $1 AND claim = $2`,
    count: `SELECT count(*) AS n FROM ${table} WHERE namespace = $1`,
    deleteRows: (count) =>
      `DELETE FROM ${table} WHERE id IN (${Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ')})`,
  };
}
