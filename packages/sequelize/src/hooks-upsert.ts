import type { Model, WhereOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { currentRow } from './instance-rows';
import type { Row } from './plan-types';
import { selectRows } from './select-rows';
import type { AnyModel } from './sequelize-shapes';
import { upsertTargetWhere } from './upsert-target';
import { invalidationsOfWrite, wholeModelInvalidations } from './write-invalidations';
import type { WriteOptions } from './write-options';

interface UpsertOptions extends WriteOptions {
  readonly model?: AnyModel;
  readonly conflictFields?: readonly string[];
  /** The attributes the update branch writes. */
  readonly fields?: readonly string[];
}

interface Identified {
  /** Whether the values carried the primary key (then the returned row's key is the written row's). */
  readonly keyGiven: boolean;
  /** How to find the written row, when the values name a key. */
  readonly where: WhereOptions | undefined;
  /** The row before the upsert (none when it is an insert), `undefined` when it could not be read. */
  readonly before: readonly Row[] | undefined;
}

/**
 * Hooks for `Model.upsert`. Which row an upsert hits is known only to the database,
 * and SQLite reports the last inserted id even when the upsert updated another row,
 * so the returned row is trusted only when the values carried the primary key;
 * otherwise the row is read by its unique keys before the write (old parents) and
 * after it (new parents). Values that name no key invalidate the whole model.
 */
export function createUpsertHooks(runner: HookRunner) {
  const identified = new WeakMap<UpsertOptions, Identified>();

  return {
    /** beforeUpsert: reads the row the upsert will overwrite. */
    async beforeUpsert(values: Record<string, unknown>, options: UpsertOptions): Promise<void> {
      const plan = runner.before(options.model, options);
      if (plan === undefined) return;
      const keyGiven = plan.primaryKeys.every((name) => values[name] !== null && values[name] !== undefined);
      const where = upsertTargetWhere(plan.modelClass, values, options.conflictFields);
      let before: readonly Row[] | undefined;
      try {
        before =
          where === undefined
            ? undefined
            : await selectRows(plan.modelClass, plan.rowAttributes, where, options.transaction, true);
      } catch (error) {
        runner.report(error);
      }
      identified.set(options, { keyGiven, where, before });
    },

    /** afterUpsert: that row, before and after, and its parents. */
    afterUpsert(result: readonly [Model, boolean | null], options: UpsertOptions): Promise<void> {
      return runner.after(options.model, options.transaction, async (plan) => {
        const identity = identified.get(options);
        identified.delete(options);
        if (identity?.where === undefined || identity.before === undefined) return wholeModelInvalidations(plan);
        const rows = identity.keyGiven
          ? [currentRow(result[0], plan.rowAttributes)]
          : await selectRows(plan.modelClass, plan.rowAttributes, identity.where, options.transaction);
        // Both branches of an upsert set updatedAt; another `using` attribute changes when written.
        const tokenChanged =
          plan.spec.using !== undefined &&
          (plan.spec.using === plan.updatedAt || (options.fields ?? []).includes(plan.spec.using));
        const instances = identity.keyGiven ? [result[0]] : [];
        return invalidationsOfWrite(
          plan,
          { rows, before: identity.before, instances, tokenChanged },
          options,
          runner.report,
        );
      });
    },
  };
}
