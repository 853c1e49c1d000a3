import { asSweeperError, CacheSweeperError, createSweeper, describeValue, type Sweeper } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import { CommitQueue } from './after-commit';
import { definedModel } from './compile-rules';
import { HookRunner } from './hook-runner';
import { createBulkCreateHooks } from './hooks-bulk-create';
import { createBulkWhereHooks } from './hooks-bulk-where';
import { createInstanceHooks } from './hooks-instances';
import { createUpsertHooks } from './hooks-upsert';
import { IncrementWrappers } from './increment-wrappers';
import { HOOK_NAME, SweeperInstallation } from './installation';
import { type OutboxOptions, resolveOutboxOptions } from './outbox/outbox-options';
import { SweeperOutbox } from './outbox/sweeper-outbox';
import { RulePlans } from './rule-plans';
import { checkRules, type SweeperRules } from './rules';
import type { AnyModel, Hook, HookHost } from './sequelize-shapes';
import { declareRuleTokens } from './token-specs';

/** Options of `installSweeper`. */
export interface InstallOptions {
  /** The sweeper to invalidate on. Default: `createSweeper()` (in-memory backend), exposed as `installation.sweeper`. */
  readonly sweeper?: Sweeper;
  /** Told about failures the installer absorbs so that a write never fails for the cache (e.g. a query following a path failed). */
  readonly onError?: (error: CacheSweeperError) => void;
  /**
   * Durable invalidations: `true` (or options) records every invalidation a write owes as
   * a row of an outbox table in the write's own transaction, and replays rows nobody
   * acknowledged from every process running the installer. Off by default (`false`).
   */
  readonly outbox?: boolean | OutboxOptions;
}

/**
 * Installs hooks on `sequelize` that invalidate cached fragments when rows are written,
 * per `rules`: the written row, and the rows its belongsTo paths reach. Declares each
 * ruled model's token on the sweeper, and wraps each ruled model's `increment` (which
 * runs no hooks). Throws a CacheSweeperError when the rules are
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
  const outboxOptions = resolveOutboxOptions(options.outbox, defineSchema(sequelize));
  const checked = checkRules(rules);
  if ((host.options.hooks?.afterSave ?? []).some((hook) => (hook as { name?: unknown })?.name === HOOK_NAME)) {
    throw new CacheSweeperError(
      'sequelize',
      'this Sequelize instance already has a sweeper installed; call uninstall() on that installation first',
    );
  }
  const plans = new RulePlans(sequelize, checked);
  plans.checkDefined();
  const sweeper = options.sweeper ?? createSweeper();
  const report = (error: unknown) => {
    try {
      options.onError?.(asSweeperError('sequelize', 'invalidation', error));
    } catch {
      // A throwing onError must not fail a write.
    }
  };
  const outbox = outboxOptions && new SweeperOutbox(sequelize, sweeper, outboxOptions, report);
  declareRuleTokens(sweeper, checked);
  const queue = new CommitQueue(sweeper, outbox?.log, report);
  const runner = new HookRunner(plans, queue, report);
  const increments = new IncrementWrappers(runner);
  for (const rule of checked.values()) {
    const model = definedModel(sequelize, rule.model);
    if (model !== undefined) increments.wrap(model);
  }
  const hooks = hooksOf(runner, (model) => {
    runner.rules.defined(model);
    if (checked.has(model.name)) increments.wrap(model);
  });
  for (const [type, hook] of Object.entries(hooks)) host.addHook(type, HOOK_NAME, hook);
  outbox?.start();
  return new SweeperInstallation(sequelize, sweeper, runner, outbox, () => {
    for (const type of Object.keys(hooks)) host.removeHook(type, HOOK_NAME);
    increments.unwrapAll();
    outbox?.stop();
  });
}

/** The schema models are defined in by default (`new Sequelize(…, { define: { schema } })`), where the outbox goes too. */
function defineSchema(sequelize: Sequelize): string | undefined {
  const schema = (sequelize as unknown as { options: { define?: { schema?: unknown } } }).options.define?.schema;
  return typeof schema === 'string' && schema !== '' ? schema : undefined;
}

function hooksOf(runner: HookRunner, defined: (model: AnyModel) => void): Record<string, Hook> {
  const rows = createInstanceHooks(runner);
  const upsert = createUpsertHooks(runner);
  const bulkCreate = createBulkCreateHooks(runner);
  const bulk = createBulkWhereHooks(runner);
  return {
    afterDefine: defined,
    // Sequelize files beforeSave/afterSave under beforeCreate/beforeUpdate and afterCreate/afterUpdate.
    beforeSave: rows.before,
    beforeDestroy: rows.before,
    beforeRestore: rows.before,
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
