import { type KeyPart, quoteKeyPart, quotePrimaryKey, type TargetRef } from '@cachesweeper/core';

/**
 * The invalidations one or more writes owe: rows (whose counters to bump) and models
 * (whose generation to bump). Duplicates coalesce, so a transaction that touches one
 * article a hundred times bumps it once.
 */
export class Invalidations {
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

  /** Adds everything another set holds. */
  merge(other: Invalidations): void {
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
