import { CacheSweeperError, describeValue, type Sweeper } from '@cachesweeper/core';
import type { Model, Sequelize, Transaction } from 'sequelize';
import { afterWrite, gather, type HookContext, wholeModel } from './gather';
import { primaryKeyOf, type Row } from './ids';
import type { RulesState } from './rules-state';
import { modelOf } from './sequelize-shapes';
import { currentRow } from './snapshots';
import { type TemplateData, toTemplateData } from './template-data';
import { Work } from './work';
import { checkLoaded, type SweeperWriteOptions } from './write-options';

/** The name of every hook the installer adds, so they can be found and removed. */
export const HOOK_NAME = 'cachesweeper';

/** Options of `installation.invalidate` and `installation.invalidateModel`. */
export interface ManualInvalidateOptions {
  /** The transaction the write ran in: invalidate after its outermost commit. Default: the CLS transaction, if any. */
  readonly transaction?: Transaction | null;
}

/** A hook function as the installer registers it. */
export type Hook = (...args: never[]) => unknown;

/** The hook methods of a Sequelize instance, untyped by name. */
export interface HookHost {
  /** Where Sequelize keeps the instance's hooks, by type: functions or `{ name, fn }`. */
  readonly options: { readonly hooks?: Readonly<Record<string, readonly unknown[] | undefined>> };
  /** Adds a named hook (for beforeSave/afterSave: on create and update too). */
  addHook(type: string, name: string, fn: Hook): unknown;
  /** Removes the hooks of that type and name. */
  removeHook(type: string, name: string): unknown;
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
  readonly #sequelize: Sequelize;
  readonly #rules: RulesState;
  readonly #context: HookContext;
  readonly #hookTypes: readonly string[];
  #installed = true;

  /** Use `installSweeper`. */
  constructor(sequelize: Sequelize, rules: RulesState, sweeper: Sweeper, context: HookContext, hookTypes: string[]) {
    this.#sequelize = sequelize;
    this.#rules = rules;
    this.sweeper = sweeper;
    this.#context = context;
    this.#hookTypes = hookTypes;
  }

  /** Removes every hook the installer added; writes no longer invalidate. Idempotent. */
  uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    const host = this.#sequelize as unknown as HookHost;
    for (const type of this.#hookTypes) host.removeHook(type, HOOK_NAME);
  }

  /** Checks every rule against the models now (else done at the first write); throws naming the rule. */
  verify(): void {
    this.#rules.plans();
  }

  /**
   * Invalidates rows and what their rules reach, for writes that run no hooks
   * (increment/decrement, raw queries, `hooks: false`): after the outermost commit of
   * `transaction`, or now. A model keyed by `using` alone has its generation bumped; a
   * model without a rule, its row's counter. `loaded` rows spare path queries, as the
   * `cachesweeper.loaded` option of a write does.
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
    const transaction = this.#transaction(options);
    const write = { transaction, cachesweeper: { loaded: options.loaded ?? [] } };
    const unruled = new Work();
    for (const row of list) {
      const model = modelOf(row);
      if (this.#rules.planOf(model) !== undefined) continue;
      const id = primaryKeyOf(model, row.get() as Row);
      if (id === undefined) {
        throw new CacheSweeperError('sequelize', `invalidate: a ${model.name} row without a primary key (unsaved?)`);
      }
      unruled.addRow(model.name, id);
    }
    await Promise.all([
      this.#context.queue.schedule(transaction, unruled),
      ...list.map((row) =>
        afterWrite(this.#context, modelOf(row), transaction, (plan) =>
          gather(
            plan,
            { rows: [currentRow(row, plan.rowAttributes)], instances: [row], tokenChanged: false },
            write,
            (error) => this.#context.report(error),
          ),
        ),
      ),
    ]);
  }

  /** Invalidates every row of a ruled model and of the models its paths reach (after a raw bulk write). */
  async invalidateModel(model: string, options: ManualInvalidateOptions = {}): Promise<void> {
    const plan = this.#rules.plans().get(model);
    if (plan === undefined) {
      throw new CacheSweeperError('sequelize', `invalidateModel(${describeValue(model)}): no rule names that model`);
    }
    const transaction = this.#transaction(options);
    await this.#context.queue.schedule(transaction, wholeModel(plan));
  }

  /** `toTemplateData(value, this.sweeper)`: plain objects marked with their model, key and token attribute. */
  toTemplateData<T>(value: T): TemplateData<T> {
    return toTemplateData(value, this.sweeper);
  }

  #transaction(options: ManualInvalidateOptions): Transaction | null | undefined {
    if (options.transaction !== undefined) return options.transaction;
    const cls = (this.#sequelize.constructor as { _cls?: { get(key: string): unknown } })._cls;
    return cls?.get('transaction') as Transaction | undefined;
  }
}
