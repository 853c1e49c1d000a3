import { asSweeperError } from '@cachesweeper/core';
import type { Sequelize, Transaction } from 'sequelize';
import type { OwedKeys } from './owed-keys';

/** The outbox row a transaction owes, settled when its COMMIT is sent. */
export interface CommitRow {
  readonly id: string;
  readonly owed: OwedKeys;
}

/** What of Sequelize 6's query interface the COMMIT goes through. */
interface CommitPath {
  commitTransaction(transaction: Transaction, options?: object): Promise<unknown>;
  queryGenerator: { commitTransactionQuery(transaction: Transaction): string };
}

/**
 * PostgreSQL: sends a transaction's outbox row in the same query as its COMMIT
 * (`INSERT …; COMMIT`, one simple-protocol message), so the row costs a write transaction no
 * network round trip of its own (measured on a single-row save over loopback: +22% with an
 * INSERT of its own). The statements of one message run in order and stop at the first
 * error: an INSERT that fails leaves the COMMIT unsent and the transaction rolled back, and
 * `commit()` rejects (Sequelize then destroys the connection rather than pool it). node-sqlite3
 * runs only the first statement of a string, so SQLite writes its row at the write instead.
 *
 * Sequelize builds the COMMIT's text with `queryGenerator.commitTransactionQuery` (once, for
 * the outermost transaction); this wraps that method and `commitTransaction` on the
 * instance's own query interface until `uninstall()`.
 */
export class CommitRows {
  readonly #rows = new WeakMap<Transaction, () => CommitRow | undefined>();
  readonly #carried = new WeakSet<Transaction>();
  readonly #sequelize: Sequelize;
  readonly #insertText: (row: CommitRow) => string;
  readonly #table: string;

  constructor(sequelize: Sequelize, insertText: (row: CommitRow) => string, table: string) {
    this.#sequelize = sequelize;
    this.#insertText = insertText;
    this.#table = table;
  }

  /** Sends the row `rowOf()` returns when `transaction` (an outermost one) commits; none if it returns `undefined`. */
  attach(transaction: Transaction, rowOf: () => CommitRow | undefined): void {
    this.#rows.set(transaction, rowOf);
  }

  /** Wraps the COMMIT path of the instance; the function returned unwraps it (or, if something wrapped it since, turns this wrapping into a pass-through). */
  install(): () => void {
    const path = this.#sequelize.getQueryInterface() as unknown as CommitPath;
    const generator = path.queryGenerator;
    let active = true;
    const originalQuery = generator.commitTransactionQuery;
    const originalCommit = path.commitTransaction;
    const withRow = (transaction: Transaction): string => {
      const commit = originalQuery.call(generator, transaction);
      const rowOf = this.#rows.get(transaction);
      this.#rows.delete(transaction);
      const row = active ? rowOf?.() : undefined;
      if (row === undefined) return commit;
      this.#carried.add(transaction);
      return `${this.#insertText(row)}; ${commit}`;
    };
    const commitTransaction = async (transaction: Transaction, options?: object): Promise<unknown> => {
      try {
        return await originalCommit.call(path, transaction, options);
      } catch (error) {
        if (!this.#carried.has(transaction)) throw error;
        throw asSweeperError(
          'outbox',
          `could not write a row to ${this.#table} with the COMMIT: commit() failed (when the row's INSERT fails, as it does on a missing table, nothing committed; does the table exist? await installation.outbox.createTable())`,
          error,
        );
      } finally {
        this.#carried.delete(transaction);
      }
    };
    generator.commitTransactionQuery = withRow;
    path.commitTransaction = commitTransaction;
    return () => {
      active = false;
      if (generator.commitTransactionQuery === withRow) generator.commitTransactionQuery = originalQuery;
      if (path.commitTransaction === commitTransaction) path.commitTransaction = originalCommit;
    };
  }
}
