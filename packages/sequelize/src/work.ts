import { type KeyPart, quoteKeyPart, quotePrimaryKey, type Sweeper, type TargetRef } from '@cachesweeper/core';

/**
 * The invalidations one or more writes owe: rows (whose counters to bump) and models
 * (whose generation to bump). Duplicates coalesce, so a transaction that touches one
 * article a hundred times bumps it once.
 */
export class Work {
  readonly #rows = new Map<string, TargetRef>();
  readonly #models = new Set<string>();

  /** Adds a row by model name and primary key. */
  addRow(model: string, id: KeyPart | readonly KeyPart[]): void {
    const key = `${quoteKeyPart(model)}:${quotePrimaryKey(id)}`;
    if (!this.#rows.has(key)) this.#rows.set(key, { model, id });
  }

  /** Adds a model whose every row is invalidated (its generation is bumped). */
  addModel(model: string): void {
    this.#models.add(model);
  }

  /** Adds everything another Work holds. */
  merge(other: Work): void {
    for (const [key, ref] of other.#rows) if (!this.#rows.has(key)) this.#rows.set(key, ref);
    for (const model of other.#models) this.#models.add(model);
  }

  /** Whether there is nothing to invalidate. */
  get empty(): boolean {
    return this.#rows.size === 0 && this.#models.size === 0;
  }

  /** The rows to invalidate. */
  get rows(): readonly TargetRef[] {
    return [...this.#rows.values()];
  }

  /** The models whose generation to bump. */
  get models(): readonly string[] {
    return [...this.#models];
  }
}

/**
 * Applies a Work in one round of counter bumps and one round of generation bumps, in
 * parallel. Never rejects: the sweeper reports backend failures itself (each round
 * waits at most its `timeoutMs`), and anything else goes to `report`. A row whose
 * model keeps no counter is skipped (its own write changed its `using` attribute).
 */
export async function applyWork(sweeper: Sweeper, work: Work, report: (error: unknown) => void): Promise<void> {
  if (work.empty) return;
  const rows = work.rows.filter((ref) => sweeper.tokenSpec(ref.model).counter);
  const { models } = work;
  const tasks: (() => Promise<unknown>)[] = [];
  if (models.length > 0) tasks.push(() => sweeper.invalidateModel(models));
  if (rows.length > 0) tasks.push(() => sweeper.invalidateMany(rows));
  await Promise.all(
    tasks.map(async (task) => {
      try {
        await task();
      } catch (error) {
        report(error);
      }
    }),
  );
}
