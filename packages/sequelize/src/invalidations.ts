import { type KeyPart, quoteKeyPart, quotePrimaryKey, type TargetRef } from '@cachesweeper/core';
import type { Row } from './plan-types';

/**
 * The invalidations one or more writes owe: rows (whose counters to bump), models
 * (whose generation to bump) and whole models (whose model counter alone to bump).
 * Duplicates coalesce, so a transaction that touches one article a hundred times
 * bumps it once.
 */
export class Invalidations {
  readonly #rows = new Map<string, TargetRef>();
  readonly #models = new Set<string>();
  readonly #wholeModels = new Set<string>();

  /**
   * Adds a row by model name and primary key; `within` holds the attributes naming the
   * rows it lives within (`articleId`), as read before or after the write: each version
   * of them is kept, so the sweeper invalidates the containing row it had and the one it has.
   */
  addRow(model: string, id: KeyPart | readonly KeyPart[], within?: Row): void {
    let key = `${quoteKeyPart(model)}:${quotePrimaryKey(id)}`;
    if (within !== undefined) key += ` ${JSON.stringify(within)}`;
    if (!this.#rows.has(key)) this.#rows.set(key, within === undefined ? { model, id } : { ...within, model, id });
  }

  /** Adds a model whose every row is invalidated (its generation is bumped). */
  addModel(model: string): void {
    this.#models.add(model);
  }

  /**
   * Adds a model whose fragments about the whole model (`{ model }`) changed, with no
   * row counter to bump: a row keyed by its attribute alone, whose write changed it.
   */
  addWholeModel(model: string): void {
    this.#wholeModels.add(model);
  }

  /** Adds everything another set holds. */
  merge(other: Invalidations): void {
    for (const [key, ref] of other.#rows) if (!this.#rows.has(key)) this.#rows.set(key, ref);
    for (const model of other.#models) this.#models.add(model);
    for (const model of other.#wholeModels) this.#wholeModels.add(model);
  }

  /** Whether there is nothing to invalidate. */
  get empty(): boolean {
    return this.#rows.size === 0 && this.#models.size === 0 && this.#wholeModels.size === 0;
  }

  /** The models whose model counter alone to bump. */
  get wholeModels(): readonly string[] {
    return [...this.#wholeModels];
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
