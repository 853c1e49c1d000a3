import {
  asSweeperError,
  CacheSweeperError,
  createSweeper,
  describeValue,
  type Sweeper,
  type TokenSpec,
  toTokenSpec,
} from '@cachesweeper/core';
import type { Model, Sequelize } from 'sequelize';
import { CommitQueue } from './after-commit';
import { beforeWrite, type HookContext } from './gather';
import { createBulkHooks } from './hooks-bulk';
import { createBulkCreateHooks } from './hooks-bulk-create';
import { createRowHooks } from './hooks-rows';
import { createUpsertHooks } from './hooks-upsert';
import { HOOK_NAME, type Hook, type HookHost, SweeperInstallation } from './installation';
import { type CheckedRule, checkRules, type SweeperRules } from './rules';
import { RulesState } from './rules-state';
import { type AnyModel, modelOf } from './sequelize-shapes';
import { applyWork, type Work } from './work';

/** Options of `installSweeper`. */
export interface InstallOptions {
  /** The sweeper to invalidate on. Default: `createSweeper()` (in-memory backend), exposed as `installation.sweeper`. */
  readonly sweeper?: Sweeper;
  /** Told about failures the installer absorbs so that a write never fails for the cache (e.g. a query following a path failed). */
  readonly onError?: (error: CacheSweeperError) => void;
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
  declareModels(sweeper, checked);
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
  const check = (instance: Model, options: unknown) => {
    beforeWrite(context, modelOf(instance), options);
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

/**
 * Declares every ruled model's token on the sweeper, after checking that none conflicts
 * with a declaration already there: a refused install declares nothing.
 */
function declareModels(sweeper: Sweeper, rules: ReadonlyMap<string, CheckedRule>): void {
  for (const rule of rules.values()) {
    const wanted = toTokenSpec(rule.model, rule.tokens);
    const declared = sweeper.declaredSpec(rule.model);
    if (declared !== undefined && !sameSpec(declared, wanted)) {
      throw new CacheSweeperError(
        'sequelize',
        `rule ${rule.model}: the sweeper already declares ${rule.model} as ${describeSpec(declared)}, the rule needs ${describeSpec(wanted)}; use another sweeper (or namespace), or make the declarations agree`,
      );
    }
  }
  for (const rule of rules.values()) sweeper.declareModel(rule.model, rule.tokens);
}

function sameSpec(a: TokenSpec, b: TokenSpec): boolean {
  return a.using === b.using && a.counter === b.counter && a.generation === b.generation;
}

function describeSpec(spec: TokenSpec): string {
  const using = spec.using === undefined ? '' : `using: ${JSON.stringify(spec.using)}, `;
  return `{ ${using}counter: ${spec.counter}, generation: ${spec.generation} }`;
}

function checkOptions(options: InstallOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new CacheSweeperError('sequelize', `options must be an object, got ${describeValue(options)}`);
  }
  const sweeper = options.sweeper as Partial<Sweeper> | undefined;
  if (
    sweeper !== undefined &&
    (typeof sweeper?.declareModel !== 'function' ||
      typeof sweeper.declaredSpec !== 'function' ||
      typeof sweeper.invalidateMany !== 'function')
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
