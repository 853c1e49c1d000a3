import { asSweeperError, type Sweeper } from '@cachesweeper/core';
import type { Sequelize, Transaction } from 'sequelize';
import { Acknowledgements } from './acknowledgements';
import { type CommitRow, CommitRows } from './commit-rows';
import { LandedMarks } from './landed-marks';
import type { ResolvedOutboxOptions } from './outbox-options';
import { OutboxReplayer, type ReplayOutcome } from './outbox-replayer';
import { outboxDialect } from './outbox-sql';
import { OutboxStore } from './outbox-store';
import type { OwedKeys } from './owed-keys';

/** How the commit queue writes to the outbox: rows in a write's transaction, acknowledged once their bumps landed. */
export interface OutboxLog {
  /** Writes a row of `owed` under `id` in `transaction` (`null`: on its own); rejects with a CacheSweeperError. */
  record(transaction: Transaction | null, owed: OwedKeys, id: string): Promise<void>;
  /**
   * Where the dialect can (PostgreSQL), sends the row `rowOf()` returns with the COMMIT of
   * `transaction`, an outermost one, instead of rows written at each write; absent elsewhere.
   */
  readonly recordAtCommit?: (transaction: Transaction, rowOf: () => CommitRow | undefined) => void;
  /** Marks rows whose bumps landed in the cache (a turn later), and deletes them soon, in one statement with others. */
  acknowledge(ids: readonly string[]): void;
}

/**
 * The transactional outbox of an installation (`installation.outbox`): every invalidation
 * a write owes is also a row of its table, written in the write's transaction, deleted
 * once its bumps landed, and replayed by any process running the installer until then.
 *
 * @example
 * const installation = installSweeper(sequelize, rules, { sweeper, outbox: true });
 * await installation.outbox?.createTable(); // at start-up, before the first write
 */
export class SweeperOutbox {
  /** The table, quoted as the dialect writes it (schema included). */
  readonly table: string;
  /** The statements `createTable()` runs, for a migration of your own. */
  readonly createStatements: readonly string[];
  readonly #store: OutboxStore;
  readonly #acks: Acknowledgements;
  readonly #replayer: OutboxReplayer;
  readonly #marks: LandedMarks;
  readonly #commitRows: CommitRows | undefined;
  #unwrapCommit: (() => void) | undefined;

  /** Use `installSweeper(…, { outbox })`. */
  constructor(
    sequelize: Sequelize,
    sweeper: Sweeper,
    options: ResolvedOutboxOptions,
    report: (error: unknown) => void,
  ) {
    const dialect = outboxDialect(sequelize);
    this.#store = new OutboxStore(sequelize, dialect, options, sweeper.namespace);
    this.table = this.#store.sql.table;
    this.#commitRows =
      dialect === 'postgres'
        ? new CommitRows(sequelize, (row) => this.#store.insertText(row.id, row.owed), this.table)
        : undefined;
    this.createStatements = this.#store.sql.create;
    this.#acks = new Acknowledgements(
      (ids) => this.#store.delete(ids),
      options.ackDelayMs,
      (error) => report(asSweeperError('outbox', `acknowledging rows of ${this.table} (they will be replayed)`, error)),
    );
    this.#marks = new LandedMarks(sweeper);
    this.#replayer = new OutboxReplayer(this.#store, sweeper, this.#marks, options, report);
  }

  /** Creates the table and its index unless they exist (never inside a transaction of yours). */
  createTable(): Promise<void> {
    return this.#store.createTable();
  }

  /** Replays the rows due now, as the poll loop does (which runs anyway while installed). */
  replay(): Promise<ReplayOutcome> {
    return this.#replayer.replay();
  }

  /** Rows of this sweeper's namespace in the table: invalidations not yet acknowledged. */
  pending(): Promise<number> {
    return this.#store.count();
  }

  /** Whether this process polls the table (from install to `uninstall()`). */
  get polling(): boolean {
    return this.#replayer.polling;
  }

  /** Resolves once the acknowledgements queued so far are written and no replay is under way. */
  async idle(): Promise<void> {
    await this.#replayer.idle();
    await this.#acks.flush();
  }

  /** The writing side, for the installer's commit queue. */
  get log(): OutboxLog {
    const commitRows = this.#commitRows;
    return {
      recordAtCommit: commitRows && ((transaction, rowOf) => commitRows.attach(transaction, rowOf)),
      record: async (transaction, owed, id) => {
        await this.#store.insert(transaction, owed, id);
      },
      acknowledge: (ids) => {
        void this.#marks.mark(ids);
        this.#acks.add(ids);
      },
    };
  }

  /** Starts the poll loop, and on PostgreSQL sends rows with COMMITs (the installer does). */
  start(): void {
    this.#unwrapCommit ??= this.#commitRows?.install();
    this.#replayer.start();
  }

  /** Stops the poll loop and unwraps the COMMIT (`uninstall()` does). */
  stop(): void {
    this.#unwrapCommit?.();
    this.#unwrapCommit = undefined;
    this.#replayer.stop();
  }
}
