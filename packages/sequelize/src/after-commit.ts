import type { Transaction } from 'sequelize';
import type { TransactionShape } from './sequelize-shapes';
import { Work } from './work';

interface Pending {
  readonly entries: { readonly transaction: TransactionShape; readonly work: Work }[];
}

/**
 * Defers invalidations to the commit of the outermost transaction.
 *
 * Invalidating before COMMIT lets a render between the bump and the commit store old
 * data under the new token. A savepoint's `afterCommit` fires when the savepoint is
 * released, before the real COMMIT, so work is registered on the outermost transaction
 * (found through `parent`), once per transaction. Work done inside a savepoint that
 * was rolled back is dropped when the outer transaction commits; a transaction that
 * rolls back never runs its `afterCommit`, so its work is dropped with it. (Sequelize
 * also runs `afterCommit` when COMMIT itself failed and it killed the connection, the
 * outcome unknown: invalidating then costs re-renders, never a stale page.)
 * Sequelize awaits `afterCommit` callbacks inside `commit()` and rejects `commit()` when
 * one throws although the data is committed: the callback never throws, and `commit()`
 * resolves once the invalidation is done (or its deadline passed), so a redirect after
 * a POST sees fresh pages.
 */
export class CommitQueue {
  readonly #pending = new WeakMap<TransactionShape, Pending>();
  readonly #apply: (work: Work) => Promise<void>;
  readonly #report: (error: unknown) => void;

  constructor(apply: (work: Work) => Promise<void>, report: (error: unknown) => void) {
    this.#apply = apply;
    this.#report = report;
  }

  /** Applies `work` now (no transaction) or queues it for the outermost commit of `transaction`. */
  async schedule(written: Transaction | null | undefined, work: Work): Promise<void> {
    if (work.empty) return;
    if (written === null || written === undefined) return this.#apply(work);
    const transaction = written as unknown as TransactionShape;
    const root = outermost(transaction);
    if (root.finished === 'commit') return this.#apply(work);
    if (root.finished === 'rollback') return;
    let pending = this.#pending.get(root);
    if (pending === undefined) {
      const created: Pending = { entries: [] };
      pending = created;
      this.#pending.set(root, created);
      root.afterCommit(() => this.#flush(root, created));
    }
    // A write sent through a savepoint that already rolled back runs in the outer transaction.
    pending.entries.push({ transaction: rolledBack(transaction, root) ? root : transaction, work });
  }

  async #flush(root: TransactionShape, pending: Pending): Promise<void> {
    try {
      this.#pending.delete(root);
      const work = new Work();
      for (const entry of pending.entries) {
        if (!rolledBack(entry.transaction, root)) work.merge(entry.work);
      }
      await this.#apply(work);
    } catch (error) {
      this.#report(error);
    }
  }
}

function outermost(transaction: TransactionShape): TransactionShape {
  let current = transaction;
  while (current.parent) current = current.parent;
  return current;
}

/** Whether the savepoint, or one it was opened in, rolled back (undoing its writes). */
function rolledBack(transaction: TransactionShape, root: TransactionShape): boolean {
  for (let current: TransactionShape | null | undefined = transaction; current && current !== root; ) {
    if (current.finished === 'rollback') return true;
    current = current.parent;
  }
  return false;
}
