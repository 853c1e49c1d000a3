import { randomUUID } from 'node:crypto';
import type { Sweeper } from '@cachesweeper/core';
import type { Transaction } from 'sequelize';
import { applyOwed } from './apply-invalidations';
import type { Invalidations } from './invalidations';
import type { CommitRow } from './outbox/commit-rows';
import { mergeOwed, type OwedKeys, owedKeys } from './outbox/owed-keys';
import type { OutboxLog } from './outbox/sweeper-outbox';
import type { TransactionShape } from './sequelize-shapes';

interface Entry {
  /** The transaction or savepoint the write ran in (the outermost one if it named a savepoint that had rolled back). */
  readonly transaction: TransactionShape;
  /** The keys the write owes. */
  readonly owed: OwedKeys;
  /** The outbox row that records the keys no earlier write of this transaction recorded, if any. */
  readonly record: { readonly id: string; readonly owed: OwedKeys } | undefined;
}

interface Pending {
  readonly entries: Entry[];
  /** The id of the row sent with the COMMIT (PostgreSQL), once it was sent. */
  commitRow?: string;
}

/**
 * Defers invalidations to the commit of the outermost transaction, and, with an outbox,
 * records them in the write's own transaction first.
 *
 * Invalidating before COMMIT lets a render between the bump and the commit store old
 * data under the new token. A savepoint's `afterCommit` fires when the savepoint is
 * released, before the real COMMIT, so invalidations are registered on the outermost transaction
 * (found through `parent`), once per transaction. Writes done inside a savepoint that
 * was rolled back are dropped when the outer transaction commits (their outbox rows rolled
 * back with them); a transaction that rolls back never runs its `afterCommit`, so its
 * invalidations are dropped with it. On PostgreSQL the outbox row is not written at each
 * write but once, with the COMMIT's own query, holding the keys of the writes no rolled-back
 * savepoint undid. (Sequelize
 * also runs `afterCommit` when COMMIT itself failed and it killed the connection, the
 * outcome unknown: invalidating then costs re-renders, never a stale page.)
 * Sequelize awaits `afterCommit` callbacks inside `commit()` and rejects `commit()` when
 * one throws although the data is committed: the callback never throws, and `commit()`
 * resolves once the invalidation is done (or its deadline passed), so a redirect after
 * a POST sees fresh pages.
 */
export class CommitQueue {
  readonly #pending = new WeakMap<TransactionShape, Pending>();
  readonly #sweeper: Sweeper;
  readonly #log: OutboxLog | undefined;
  readonly #report: (error: unknown) => void;

  constructor(sweeper: Sweeper, log: OutboxLog | undefined, report: (error: unknown) => void) {
    this.#sweeper = sweeper;
    this.#log = log;
    this.#report = report;
  }

  /**
   * Applies `invalidations` now (no transaction) or queues them for the outermost commit
   * of `transaction`. With an outbox, in a transaction, first writes the keys no earlier
   * write of it recorded as an outbox row, in the same transaction, and rejects when that
   * row could not be written (the write must then fail: its data cannot commit without it).
   * Without a transaction, the row is written on its own before the bumps; a failure
   * to write it is reported, and the bumps still sent.
   */
  async schedule(written: Transaction | null | undefined, invalidations: Invalidations): Promise<void> {
    if (invalidations.empty) return;
    let owed: OwedKeys;
    try {
      owed = owedKeys(this.#sweeper, invalidations);
    } catch (error) {
      this.#report(error);
      return;
    }
    if (owed.size === 0) return;
    const transaction = written as unknown as TransactionShape | null | undefined;
    const root = transaction && outermost(transaction);
    if (!transaction || !root || root.finished === 'commit') return this.#applyNow(owed);
    if (root.finished === 'rollback') return;
    let pending = this.#pending.get(root);
    if (pending === undefined) {
      const created: Pending = { entries: [] };
      pending = created;
      this.#pending.set(root, created);
      root.afterCommit(() => this.#flush(root, created));
      this.#log?.recordAtCommit?.(root as unknown as Transaction, () => commitRow(created, root));
    }
    // A write sent through a savepoint that already rolled back runs in the outer transaction.
    const effective = rolledBack(transaction, root) ? root : transaction;
    const atWrite = this.#log !== undefined && this.#log.recordAtCommit === undefined;
    const fresh = atWrite ? unrecorded(owed, pending, effective, root) : undefined;
    const record = fresh === undefined || fresh.size === 0 ? undefined : { id: randomUUID(), owed: fresh };
    pending.entries.push({ transaction: effective, owed, record });
    if (record !== undefined) await this.#log?.record(written as Transaction, record.owed, record.id);
  }

  async #applyNow(owed: OwedKeys): Promise<void> {
    const recorded: string[] = [];
    if (this.#log !== undefined) {
      const id = randomUUID();
      try {
        await this.#log.record(null, owed, id);
        recorded.push(id);
      } catch (error) {
        this.#report(error);
      }
    }
    await applyOwed(this.#sweeper, owed, recorded, this.#log, this.#report);
  }

  async #flush(root: TransactionShape, pending: Pending): Promise<void> {
    try {
      this.#pending.delete(root);
      const { owed, recordIds } = committedWrites(pending, root);
      const recorded = pending.commitRow === undefined ? recordIds : [pending.commitRow, ...recordIds];
      await applyOwed(this.#sweeper, owed, recorded, this.#log, this.#report);
    } catch (error) {
      this.#report(error);
    }
  }
}

/** What the writes of `pending` that no rolled-back savepoint undid owe, and the ids of the rows recorded at them. */
function committedWrites(pending: Pending, root: TransactionShape): { owed: OwedKeys; recordIds: string[] } {
  const owed: OwedKeys = new Map();
  const recordIds: string[] = [];
  for (const entry of pending.entries) {
    if (rolledBack(entry.transaction, root)) continue;
    mergeOwed(owed, entry.owed);
    if (entry.record !== undefined) recordIds.push(entry.record.id);
  }
  return { owed, recordIds };
}

/** The row of the keys `pending`'s writes owe that no rolled-back savepoint undid (`undefined`: none), noted in `pending`. */
function commitRow(pending: Pending, root: TransactionShape): CommitRow | undefined {
  const { owed } = committedWrites(pending, root);
  if (owed.size === 0) return undefined;
  pending.commitRow = randomUUID();
  return { id: pending.commitRow, owed };
}

/**
 * The keys of `owed` that no row recorded so far in `transaction` or in a transaction
 * enclosing it holds (a row recorded in a savepoint may still roll back without it).
 */
function unrecorded(owed: OwedKeys, pending: Pending, transaction: TransactionShape, root: TransactionShape): OwedKeys {
  const fresh: OwedKeys = new Map(owed);
  for (const entry of pending.entries) {
    if (entry.record === undefined || rolledBack(entry.transaction, root)) continue;
    if (!encloses(entry.transaction, transaction)) continue;
    for (const key of entry.record.owed.keys()) fresh.delete(key);
  }
  return fresh;
}

/** Whether `outer` is `inner` or one of the transactions it was opened in. */
function encloses(outer: TransactionShape, inner: TransactionShape): boolean {
  for (let current: TransactionShape | null | undefined = inner; current; current = current.parent) {
    if (current === outer) return true;
  }
  return false;
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
