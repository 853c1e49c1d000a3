import { asSweeperError, CacheSweeperError, createSweeper, describeValue, type Sweeper } from '@cachesweeper/core';
import type { Model, Sequelize, Transaction } from 'sequelize';
import { CommitQueue } from './after-commit';
import { afterWrite, beforeWrite, gather, type HookContext, wholeModel } from './gather';
import { createBulkHooks } from './hooks-bulk';
import { createBulkCreateHooks } from './hooks-bulk-create';
import { createRowHooks } from './hooks-rows';
import { createUpsertHooks } from './hooks-upsert';
import { primaryKeyOf, type Row } from './ids';
import { checkRules, type SweeperRules } from './rules';
import { RulesState } from './rules-state';
import { type AnyModel, modelOf } from './sequelize-shapes';
import { currentRow } from './snapshots';
import { type TemplateData, toTemplateData } from './template-data';
import { applyWork, Work } from './work';

/** The name of every hook the installer adds, so they can be found and removed. */
export const HOOK_NAME = 'cachesweeper';

/** Options of `installSweeper`. */
export interface InstallOptions {
  /** The sweeper to invalidate on. Default: `createSweeper()` (in-memory backend), exposed as `installation.sweeper`. */
  readonly sweeper?: Sweeper;
  /** Told about failures the installer absorbs so that a write never fails for the cache (e.g. a query following a path failed). */
  readonly onError?: (error: CacheSweeperError) => void;
}

/** Options of `installation.invalidate` and `installation.invalidateModel`. */
export interface ManualInvalidateOptions {
  /** The transaction the write ran in: invalidate after its outermost commit. Default: the CLS transaction, if any. */
  readonly transaction?: Transaction | null;
}

type Hook = (...args: never[]) => unknown;
interface HookHost {
  readonly options: { readonly hooks?: Readonly<Record<string, readonly unknown[] | undefined>> };
  addHook(type: string, name: string, fn: Hook): unknown;
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
   * model without a rule, its row's counter.
   */
  async invalidate(rows: Model | readonly Model[], options: ManualInvalidateOptions = {}): Promise<void> {
    const list: readonly Model[] = Array.isArray(rows) ? rows : [rows as Model];
    for (const row of list) {
      if (row === null || typeof row !== 'object' || typeof (row as Model).get !== 'function') {
        throw new CacheSweeperError('sequelize', `invalidate takes model instances, got ${describeValue(row)}`);
      }
    }
    const transaction = this.#transaction(options);
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
      this.#context.queue.schedule(transaction as never, unruled),
      ...list.map((row) =>
        afterWrite(this.#context, modelOf(row), transaction, (plan) =>
          gather(plan, { rows: [currentRow(row, plan.rowAttributes)], tokenChanged: false }, transaction, (error) =>
            this.#context.report(error),
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
    await this.#context.queue.schedule(transaction as never, wholeModel(plan));
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

/**
 * Installs hooks on `sequelize` that invalidate cached fragments when rows are written,
 * per `rules`: the written row, and the rows its belongsTo paths reach. Declares each
 * ruled model's token on the sweeper. Throws a CacheSweeperError when the rules are
 * malformed, when a rule does not fit a model already defined, or when this Sequelize
 * instance already has a sweeper installed.
 */
export function installSweeper(
  sequelize: Sequelize,
  rules: SweeperRules,
  options: InstallOptions = {},
): SweeperInstallation {
  const host = sequelize as unknown as HookHost;
  if (sequelize === null || typeof sequelize !== 'object' || typeof host.addHook !== 'function') {
    throw new CacheSweeperError(
      'sequelize',
      `installSweeper needs a Sequelize instance, got ${describeValue(sequelize)}`,
    );
  }
  checkOptions(options);
  const checked = checkRules(rules);
  if ((host.options.hooks?.afterSave ?? []).some((hook) => (hook as { name?: unknown })?.name === HOOK_NAME)) {
    throw new CacheSweeperError(
      'sequelize',
      'this Sequelize instance already has a sweeper installed; call uninstall() on that installation first',
    );
  }
  const state = new RulesState(sequelize, checked);
  state.checkDefined();
  const sweeper = options.sweeper ?? createSweeper();
  for (const rule of checked.values()) {
    try {
      sweeper.declareModel(rule.model, rule.tokens);
    } catch (error) {
      throw new CacheSweeperError('sequelize', `rule ${rule.model}: ${(error as Error).message}`, { cause: error });
    }
  }
  const report = (error: unknown) => {
    try {
      options.onError?.(asSweeperError('sequelize', 'invalidation', error));
    } catch {
      // A throwing onError must not fail a write.
    }
  };
  const context: HookContext = {
    rules: state,
    queue: new CommitQueue((work: Work) => applyWork(sweeper, work, report), report),
    report,
  };
  const hooks = hooksOf(context, state);
  for (const [type, hook] of Object.entries(hooks)) host.addHook(type, HOOK_NAME, hook);
  return new SweeperInstallation(sequelize, state, sweeper, context, Object.keys(hooks));
}

function hooksOf(context: HookContext, state: RulesState): Record<string, Hook> {
  const rows = createRowHooks(context);
  const upsert = createUpsertHooks(context);
  const bulkCreate = createBulkCreateHooks(context);
  const bulk = createBulkHooks(context);
  const check = (instance: Model) => {
    beforeWrite(context, modelOf(instance));
  };
  return {
    afterDefine: (model: AnyModel) => state.defined(model),
    // Sequelize files beforeSave/afterSave under beforeCreate/beforeUpdate and afterCreate/afterUpdate.
    beforeSave: check,
    beforeDestroy: check,
    beforeRestore: check,
    afterSave: rows.afterSave,
    afterDestroy: rows.afterDestroy,
    afterRestore: rows.afterRestore,
    beforeUpsert: upsert.beforeUpsert,
    afterUpsert: upsert.afterUpsert,
    beforeBulkCreate: bulkCreate.beforeBulkCreate,
    afterBulkCreate: bulkCreate.afterBulkCreate,
    beforeBulkUpdate: bulk.before,
    beforeBulkDestroy: bulk.before,
    beforeBulkRestore: bulk.before,
    afterBulkUpdate: (options: Parameters<typeof bulk.after>[1]) => bulk.after('update', options),
    afterBulkDestroy: (options: Parameters<typeof bulk.after>[1]) => bulk.after('destroy', options),
    afterBulkRestore: (options: Parameters<typeof bulk.after>[1]) => bulk.after('restore', options),
  };
}

function checkOptions(options: InstallOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError('sequelize', `options must be an object, got ${describeValue(options)}`);
  }
  const sweeper = options.sweeper as Partial<Sweeper> | undefined;
  if (
    sweeper !== undefined &&
    (typeof sweeper?.declareModel !== 'function' || typeof sweeper.invalidateMany !== 'function')
  ) {
    throw new CacheSweeperError(
      'sequelize',
      `options.sweeper must be a Sweeper (createSweeper()), got ${describeValue(sweeper)}`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new CacheSweeperError(
      'sequelize',
      `options.onError must be a function, got ${describeValue(options.onError)}`,
    );
  }
}
