import type { Transaction } from 'sequelize';
import { Invalidations } from './invalidations';
import type { TransactionShape } from './sequelize-shapes';

interface Pending {
  readonly entries: { readonly transaction: TransactionShape; readonly invalidations: Invalidations }[];
}

/**
 * Defers invalidations to the commit of the outermost transaction.
 *
 * Invalidating before COMMIT lets a render between the bump and the commit store old
 * data under the new token. A savepoint's `afterCommit` fires when the savepoint is
 * released, before the real COMMIT, so invalidations are registered on the outermost transaction
 * (found through `parent`), once per transaction. Writes done inside a savepoint that
 * was rolled back are dropped when the outer transaction commits; a transaction that
 * rolls back never runs its `afterCommit`, so its invalidations are dropped with it. (Sequelize
 * also runs `afterCommit` when COMMIT itself failed and it killed the connection, the
 * outcome unknown: invalidating then costs re-renders, never a stale page.)
 * Sequelize awaits `afterCommit` callbacks inside `commit()` and rejects `commit()` when
 * one throws although the data is committed: the callback never throws, and `commit()`
 * resolves once the invalidation is done (or its deadline passed), so a redirect after
 * a POST sees fresh pages.
 */
export class CommitQueue {
  readonly #pending = new WeakMap<TransactionShape, Pending>();
  readonly #apply: (invalidations: Invalidations) => Promise<void>;
  readonly #report: (error: unknown) => void;

  constructor(apply: (invalidations: Invalidations) => Promise<void>, report: (error: unknown) => void) {
    this.#apply = apply;
    this.#report = report;
  }

  /** Applies `invalidations` now (no transaction) or queues them for the outermost commit of `transaction`. */
  async schedule(written: Transaction | null | undefined, invalidations: Invalidations): Promise<void> {
    if (invalidations.empty) return;
    if (written === null || written === undefined) return this.#apply(invalidations);
    const transaction = written as unknown as TransactionShape;
    const root = outermost(transaction);
    if (root.finished === 'commit') return this.#apply(invalidations);
    if (root.finished === 'rollback') return;
    let pending = this.#pending.get(root);
    if (pending === undefined) {
      const created: Pending = { entries: [] };
      pending = created;
      this.#pending.set(root, created);
      root.afterCommit(() => this.#flush(root, created));
    }
    // A write sent through a savepoint that already rolled back runs in the outer transaction.
    pending.entries.push({ transaction: rolledBack(transaction, root) ? root : transaction, invalidations });
  }

  async #flush(root: TransactionShape, pending: Pending): Promise<void> {
    try {
      this.#pending.delete(root);
      const invalidations = new Invalidations();
      for (const entry of pending.entries) {
        if (!rolledBack(entry.transaction, root)) invalidations.merge(entry.invalidations);
      }
      await this.#apply(invalidations);
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
