import { type Model, Op, type WhereOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { currentRow } from './instance-rows';
import type { ModelPlan, Row } from './plan-types';
import { selectRows } from './select-rows';
import type { AnyModel } from './sequelize-shapes';
import { invalidationsOfWrite, wholeModelInvalidations } from './write-invalidations';
import type { WriteOptions } from './write-options';

interface BulkCreateOptions extends WriteOptions {
  readonly model?: AnyModel;
  readonly individualHooks?: boolean;
  readonly ignoreDuplicates?: boolean;
  /** Attribute names in `beforeBulkCreate`; Sequelize turns them into column names before `afterBulkCreate`. */
  readonly updateOnDuplicate?: readonly string[];
}

interface Prepared {
  /** Per instance: whether the caller gave its primary key. */
  readonly keyGiven: readonly boolean[];
  /** Attributes an upserting bulk insert overwrites. */
  readonly overwrites: readonly string[];
  /** Rows an upserting bulk insert may overwrite, as they were. */
  readonly before: readonly Row[];
  /** Whether some overwritten row's old parents are unknown (its key was not given, or the read failed). */
  readonly parentsUnknown: boolean;
}

/**
 * Hooks for `bulkCreate` without `individualHooks` (with it, Sequelize saves each
 * instance and the instance hooks run). The keys Sequelize fills in after a bulk
 * insert are trusted only for plain inserts whose rows all carry, or all lack, a
 * primary key: with `ignoreDuplicates` or `updateOnDuplicate` they are matched to
 * instances by position (PostgreSQL) or computed from the last insert id (SQLite), and
 * may name other rows. Rows without a trusted key invalidate their model's generation.
 * `updateOnDuplicate` reads the rows it may overwrite before the write when it
 * overwrites a foreign key, or when an instance lacks one (the update branch keeps the
 * row's own, which the instance does not tell); where that row cannot be named or read,
 * the generations of every model the paths reach are bumped.
 */
export function createBulkCreateHooks(runner: HookRunner) {
  const prepared = new WeakMap<BulkCreateOptions, Prepared>();

  return {
    /** beforeBulkCreate: notes which keys were given; reads rows an upsert may overwrite. */
    async beforeBulkCreate(instances: readonly Model[], options: BulkCreateOptions): Promise<void> {
      const plan = runner.before(options.model, options);
      if (plan === undefined || options.individualHooks === true) return;
      const keyGiven = instances.map((instance) =>
        plan.primaryKeys.every((name) => instance.get(name) !== null && instance.get(name) !== undefined),
      );
      const overwrites = [...(options.updateOnDuplicate ?? [])];
      const movesRows = overwrites.some((name) => plan.foreignKeys.includes(name));
      const overwritten = instances.map(
        (instance) =>
          options.updateOnDuplicate !== undefined &&
          (movesRows || plan.foreignKeys.some((name) => instance.get(name) === undefined)),
      );
      const toRead = instances.filter((_, index) => overwritten[index] && keyGiven[index]);
      let before: readonly Row[] = [];
      let parentsUnknown = overwritten.some((needed, index) => needed && !keyGiven[index]);
      if (toRead.length > 0) {
        try {
          const where = keysWhere(plan, toRead);
          before = await selectRows(plan.modelClass, plan.rowAttributes, where, options.transaction, true);
        } catch (error) {
          runner.report(error);
          parentsUnknown = true;
        }
      }
      prepared.set(options, { keyGiven, overwrites, before, parentsUnknown });
    },

    /** afterBulkCreate: the rows with trusted keys, every row's parents, generations for the rest. */
    afterBulkCreate(instances: readonly Model[], options: BulkCreateOptions): Promise<void> {
      if (options.individualHooks === true) return Promise.resolve();
      return runner.after(options.model, options.transaction, async (plan) => {
        const state = prepared.get(options);
        prepared.delete(options);
        if (state === undefined) return wholeModelInvalidations(plan);
        const { keyGiven, overwrites } = state;
        const upserting = options.ignoreDuplicates === true || options.updateOnDuplicate !== undefined;
        const uniform = keyGiven.every((given) => given === keyGiven[0]);
        const trusted = (index: number) => keyGiven[index] === true || (!upserting && uniform);
        const rows = instances.map((instance) => currentRow(instance, plan.rowAttributes));
        const named = rows.filter((_, index) => trusted(index));
        const invalidations = await invalidationsOfWrite(
          plan,
          {
            rows: named,
            before: [...rows.filter((_, index) => !trusted(index)), ...state.before],
            instances,
            tokenChanged:
              plan.spec.using !== undefined && (overwrites.length === 0 || overwrites.includes(plan.spec.using)),
            pathsUnknown: state.parentsUnknown,
          },
          options,
          runner.report,
        );
        if (named.length < rows.length) invalidations.addModel(plan.model);
        return invalidations;
      });
    },
  };
}

function keysWhere(plan: ModelPlan, instances: readonly Model[]): WhereOptions {
  return {
    [Op.or]: instances.map((instance) =>
      Object.fromEntries(plan.primaryKeys.map((name) => [name, instance.get(name)])),
    ),
  };
}
