import { randomUUID } from 'node:crypto';
import { asSweeperError } from '@cachesweeper/core';
import { QueryTypes, type Sequelize, Transaction } from 'sequelize';
import type { QueryGeneratorShape } from '../sequelize-shapes';
import { type ConnectionStatement, connectionStatement, runOnConnection } from './connection-statement';
import type { ResolvedOutboxOptions } from './outbox-options';
import { type OutboxDialect, type OutboxSql, outboxSql } from './outbox-sql';
import { decodeOwed, encodeOwed, type OwedKeys } from './owed-keys';

/** A row a replay claimed. */
export interface ClaimedRow {
  /** Its id. */
  readonly id: string;
  /** The keys it holds. */
  readonly owed: OwedKeys;
}

/** Most ids bound in one DELETE. */
const DELETE_CHUNK = 500;

/**
 * The outbox table's rows, one statement per method. Statements outside a write's
 * transaction name `transaction: null`, so a CLS transaction (`Sequelize.useCLS`) never
 * adopts them.
 */
export class OutboxStore {
  /** The namespace whose rows this store reads and writes (the sweeper's). */
  readonly namespace: string;
  /** The SQL in use. */
  readonly sql: OutboxSql;
  readonly #sequelize: Sequelize;
  readonly #dialect: OutboxDialect;
  readonly #insert: ConnectionStatement;

  constructor(sequelize: Sequelize, dialect: OutboxDialect, options: ResolvedOutboxOptions, namespace: string) {
    this.#sequelize = sequelize;
    this.#dialect = dialect;
    this.namespace = namespace;
    const generator = sequelize.getQueryInterface().queryGenerator as QueryGeneratorShape;
    this.sql = outboxSql(dialect, generator, options);
    this.#insert = connectionStatement(this.sql.insert);
  }

  /** Creates the table and its index unless they exist. */
  async createTable(): Promise<void> {
    for (const statement of this.sql.create) await this.#sequelize.query(statement, { transaction: null });
  }

  /**
   * Writes a row of `owed` keys in `transaction` (on its connection, through the driver)
   * or on its own, autocommit, with `null`, and returns its id. Rejects with a
   * CacheSweeperError naming the table.
   */
  async insert(transaction: Transaction | null, owed: OwedKeys, id: string = randomUUID()): Promise<string> {
    const bind = [id, this.namespace, encodeOwed(owed)];
    try {
      const direct = transaction === null ? undefined : runOnConnection(this.#dialect, transaction, this.#insert, bind);
      await (direct ?? this.#sequelize.query(this.sql.insert, { bind, transaction, type: QueryTypes.INSERT }));
      return id;
    } catch (error) {
      throw asSweeperError(
        'outbox',
        `could not write a row to ${this.sql.table} (does it exist? await installation.outbox.createTable())`,
        error,
      );
    }
  }

  /** The INSERT of a row as SQL text with its values inlined (for a query that cannot bind them: PostgreSQL's multi-statement messages). */
  insertText(id: string, owed: OwedKeys): string {
    const values = [id, this.namespace, encodeOwed(owed)];
    return this.sql.insert.replace(/\$(\d)/g, (_, position: string) =>
      this.#sequelize.escape(values[Number(position) - 1] as string),
    );
  }

  /** Whether a row of this namespace is due for replay (a plain read). */
  async anyDue(): Promise<boolean> {
    const rows = await this.#select(this.sql.anyDue, [this.namespace]);
    return rows.length > 0;
  }

  /** Claims up to `limit` due rows for `claim`, for one lease; other processes skip them meanwhile. */
  async claim(claim: string, limit: number): Promise<ClaimedRow[]> {
    const rows = await this.#select(this.sql.claim, [this.namespace, claim, limit]);
    return rows.map((row) => ({ id: String(row.id), owed: decodeOwed(String(row.version_keys)) }));
  }

  /**
   * Replaces claimed rows by one row of `owed`, claimed by `claim`, in one transaction
   * (SQLite: IMMEDIATE, taking the write lock up front), and returns its id.
   */
  async replace(ids: readonly string[], owed: OwedKeys, claim: string): Promise<string> {
    const id = randomUUID();
    const options = this.#dialect === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {};
    await this.#sequelize.transaction(options, async (transaction) => {
      await this.#deleteIn(ids, transaction);
      await this.#sequelize.query(this.sql.insertClaimed, {
        bind: [id, this.namespace, encodeOwed(owed), claim],
        transaction,
        type: QueryTypes.INSERT,
      });
    });
    return id;
  }

  /** Hands a row back, due now, if `claim` still holds it. */
  async release(id: string, claim: string): Promise<void> {
    await this.#sequelize.query(this.sql.release, { bind: [id, claim], transaction: null, type: QueryTypes.UPDATE });
  }

  /** Deletes rows by id (acknowledged: their bumps landed). */
  delete(ids: readonly string[]): Promise<void> {
    return this.#deleteIn(ids, null);
  }

  /** How many rows of this namespace the table holds. */
  async count(): Promise<number> {
    const [row] = await this.#select(this.sql.count, [this.namespace]);
    return Number(row?.n ?? 0);
  }

  async #deleteIn(ids: readonly string[], transaction: Transaction | null): Promise<void> {
    for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
      const chunk = ids.slice(start, start + DELETE_CHUNK);
      await this.#sequelize.query(this.sql.deleteRows(chunk.length), {
        bind: chunk,
        transaction,
        type: QueryTypes.DELETE,
      });
    }
  }

  #select(sql: string, bind: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return this.#sequelize.query<Record<string, unknown>>(sql, {
      bind: [...bind] as never,
      transaction: null,
      type: QueryTypes.SELECT,
    });
  }
}
