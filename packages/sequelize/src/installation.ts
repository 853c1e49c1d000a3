import { CacheSweeperError, describeValue, type Sweeper } from '@cachesweeper/core';
import type { Model, Sequelize, Transaction } from 'sequelize';
import { checkLoaded } from './check-write-options';
import type { HookRunner } from './hook-runner';
import { Invalidations } from './invalidations';
import { primaryKeyOf } from './key-values';
import type { SweeperOutbox } from './outbox/sweeper-outbox';
import type { Row } from './plan-types';
import { modelOf } from './sequelize-shapes';
import { type TemplateData, toTemplateData } from './template-data';
import { currentRowWithUnloaded } from './unloaded-attributes';
import { invalidationsOfWrite, wholeModelInvalidations } from './write-invalidations';
import type { SweeperWriteOptions } from './write-options';
import { writeTransaction } from './write-transaction';

/** The name of every hook the installer adds, so they can be found and removed. */
export const HOOK_NAME = 'cachesweeper';

/** Options of `installation.invalidate` and `installation.invalidateModel`. */
export interface ManualInvalidateOptions {
  /** The transaction the write ran in: invalidate after its outermost commit. Default: the CLS transaction, if any. */
  readonly transaction?: Transaction | null;
}

/**
 * Sequelize hooks that turn writes into invalidations, per the rules, after the
 * outermost commit. Returned by `installSweeper`.
 *
 * @example
 * const installation = installSweeper(sequelize, {
 *   Article: { using: 'updatedAt' },
 *   Comment: { invalidates: ['article'] },
 *   Vote: { invalidates: ['comment', 'comment.article'] },
 * });
 * const html = await installation.sweeper.fragment(article, 600, ['article'], render);
 * installation.uninstall();
 */
export class SweeperInstallation {
  /** The sweeper invalidations go to (the one passed in, or the default one). */
  readonly sweeper: Sweeper;
  /** The transactional outbox, when `installSweeper` was given `outbox`; else `undefined`. */
  readonly outbox: SweeperOutbox | undefined;
  readonly #sequelize: Sequelize;
  readonly #runner: HookRunner;
  readonly #remove: () => void;
  #installed = true;

  /** Use `installSweeper`. */
  constructor(
    sequelize: Sequelize,
    sweeper: Sweeper,
    runner: HookRunner,
    outbox: SweeperOutbox | undefined,
    remove: () => void,
  ) {
    this.#sequelize = sequelize;
    this.sweeper = sweeper;
    this.outbox = outbox;
    this.#runner = runner;
    this.#remove = remove;
  }

  /**
   * Removes every hook the installer added, puts back the models' `increment` and stops the
   * outbox's poll loop; writes no longer invalidate. Idempotent. (`await outbox.idle()` waits
   * for a replay under way and the acknowledgements queued.)
   */
  uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    this.#remove();
  }

  /** Checks every rule against the models now (else done at the first write); throws naming the rule. */
  verify(): void {
    this.#runner.rules.plans();
  }

  /**
   * Invalidates rows and what their rules reach, for writes that run no hooks (raw
   * queries, `hooks: false`, increments of a model without a rule): after the outermost
   * commit of `transaction`, or now. A model keyed by `using` alone has its generation
   * bumped; a model without a rule, its row's counter. `loaded` rows spare path queries,
   * as the `cachesweeper.loaded` option of a write does; path attributes a row did not
   * load are read from the database (in `transaction`).
   */
  async invalidate(
    rows: Model | readonly Model[],
    options: ManualInvalidateOptions & SweeperWriteOptions = {},
  ): Promise<void> {
    const list: readonly Model[] = Array.isArray(rows) ? rows : [rows as Model];
    for (const row of list) {
      if (row === null || typeof row !== 'object' || typeof (row as Model).get !== 'function') {
        throw new CacheSweeperError('sequelize', `invalidate takes model instances, got ${describeValue(row)}`);
      }
    }
    checkLoaded(options.loaded, 'invalidate: options.loaded');
    const transaction = writeTransaction(this.#sequelize, options.transaction);
    const write = { transaction, cachesweeper: { loaded: options.loaded ?? [] } };
    const unruled = new Invalidations();
    for (const row of list) {
      const model = modelOf(row);
      if (this.#runner.rules.planOf(model) !== undefined) continue;
      const id = primaryKeyOf(model, row.get() as Row);
      if (id === undefined) {
        throw new CacheSweeperError('sequelize', `invalidate: a ${model.name} row without a primary key (unsaved?)`);
      }
      unruled.addRow(model.name, id);
    }
    await Promise.all([
      this.#runner.queue.schedule(transaction, unruled),
      ...list.map((row) =>
        this.#runner.after(modelOf(row), transaction, async (plan) => {
          const report = this.#runner.report;
          const { row: values, pathsUnknown } = await currentRowWithUnloaded(plan, row, transaction, report);
          const written = { rows: [values], instances: [row], tokenChanged: false, pathsUnknown };
          return invalidationsOfWrite(plan, written, write, report);
        }),
      ),
    ]);
  }

  /** Invalidates every row of a ruled model and of the models its paths reach (after a raw bulk write). */
  async invalidateModel(model: string, options: ManualInvalidateOptions = {}): Promise<void> {
    const plan = this.#runner.rules.plans().get(model);
    if (plan === undefined) {
      throw new CacheSweeperError('sequelize', `invalidateModel(${describeValue(model)}): no rule names that model`);
    }
    const transaction = writeTransaction(this.#sequelize, options.transaction);
    await this.#runner.queue.schedule(transaction, wholeModelInvalidations(plan));
  }

  /** `toTemplateData(value, this.sweeper)`: plain objects marked with their model, key and token attribute. */
  toTemplateData<T>(value: T): TemplateData<T> {
    return toTemplateData(value, this.sweeper);
  }
}
