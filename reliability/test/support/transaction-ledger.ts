import { AsyncLocalStorage } from 'node:async_hooks';
import type { Sequelize, Transaction } from 'sequelize';
import type { WriteLock } from './write-lock';

type TransactionState = 'open' | 'committed' | 'rolled back' | 'commit failed';

interface LedgerEntry {
  state: TransactionState;
  /** Releases the write lock; called when COMMIT or ROLLBACK has run. */
  release: () => void;
}

/** An invalidation sent while its transaction had not committed. */
export interface EarlyInvalidation {
  readonly key: string;
  readonly operation: 'incr' | 'add';
  readonly state: TransactionState;
}

/** What the ledger saw. */
export interface LedgerFigures {
  transactions: number;
  committed: number;
  rolledBack: number;
  commitFailed: number;
  /** Counter writes (bumps) sent from inside a transaction's work, after its COMMIT. */
  afterCommit: number;
  /** Counter writes sent from outside any transaction: autocommit writes (the HTTP routes), and counters created by reads. */
  outsideTransactions: number;
}

/**
 * Knows, for every counter write the cache receives, whether the transaction that
 * caused it had committed. Each transaction's work runs in an AsyncLocalStorage
 * context; the Sequelize instances' COMMIT and ROLLBACK are wrapped to record when
 * they finished (and to release the write lock there, so the invalidation after a
 * commit overlaps the next writer); a tapped backend reports each `incr`/`add` as it
 * is sent. A write sent while its transaction is open, rolled back or failed to
 * commit is an early invalidation.
 */
export class TransactionLedger {
  readonly figures: LedgerFigures = {
    transactions: 0,
    committed: 0,
    rolledBack: 0,
    commitFailed: 0,
    afterCommit: 0,
    outsideTransactions: 0,
  };
  readonly early: EarlyInvalidation[] = [];
  readonly #ambient = new AsyncLocalStorage<LedgerEntry>();
  readonly #lock: WriteLock;

  constructor(lock: WriteLock) {
    this.#lock = lock;
  }

  /** Wraps `sequelize`'s COMMIT and ROLLBACK so the ledger sees when the outermost transaction ends. */
  watch(sequelize: Sequelize): void {
    const queryInterface = sequelize.getQueryInterface();
    const commit = queryInterface.commitTransaction.bind(queryInterface);
    const rollback = queryInterface.rollbackTransaction.bind(queryInterface);
    queryInterface.commitTransaction = async (transaction: Transaction, options?: unknown) => {
      const entry = isSavepoint(transaction) ? undefined : this.#ambient.getStore();
      try {
        const result = await commit(transaction, options as never);
        if (entry) this.#finish(entry, 'committed');
        return result;
      } catch (error) {
        if (entry) this.#finish(entry, 'commit failed');
        throw error;
      }
    };
    queryInterface.rollbackTransaction = async (transaction: Transaction, options?: unknown) => {
      const entry = isSavepoint(transaction) ? undefined : this.#ambient.getStore();
      try {
        return await rollback(transaction, options as never);
      } finally {
        if (entry) this.#finish(entry, 'rolled back');
      }
    };
  }

  /** Runs a managed transaction under the write lock, in a context the ledger can recognise. */
  async transaction<T>(sequelize: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const release = await this.#lock.acquire();
    const entry: LedgerEntry = { state: 'open', release };
    this.figures.transactions += 1;
    try {
      return await this.#ambient.run(entry, () => sequelize.transaction((transaction) => work(transaction)));
    } finally {
      release();
    }
  }

  /** Runs work that writes outside any transaction (an HTTP write) under the write lock. */
  async autocommit<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.#lock.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Called by the tapped backend as a counter write is sent. */
  counterWrite(operation: 'incr' | 'add', key: string): void {
    const entry = this.#ambient.getStore();
    if (entry === undefined) {
      this.figures.outsideTransactions += 1;
    } else if (entry.state === 'committed') {
      this.figures.afterCommit += 1;
    } else {
      this.early.push({ key, operation, state: entry.state });
    }
  }

  #finish(entry: LedgerEntry, state: TransactionState): void {
    if (entry.state !== 'open') return;
    entry.state = state;
    const name = state === 'committed' ? 'committed' : state === 'rolled back' ? 'rolledBack' : 'commitFailed';
    this.figures[name] += 1;
    entry.release();
  }
}

/** A savepoint's COMMIT is its release, not the real commit (Sequelize types omit `parent`). */
function isSavepoint(transaction: Transaction): boolean {
  return (transaction as Transaction & { parent?: Transaction }).parent !== undefined;
}
