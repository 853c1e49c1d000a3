import type { DestroyOptions, InstanceDestroyOptions, InstanceRestoreOptions, Model, SaveOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { attributeChanged, currentRow, previousRow } from './instance-rows';
import type { ModelPlan, Row } from './plan-types';
import { modelOf } from './sequelize-shapes';
import { UnloadedReads, withStored } from './unloaded-attributes';
import { invalidationsOfWrite, type Written } from './write-invalidations';
import type { WriteOptions } from './write-options';

/** Options an instance hook may receive: the instance's own, or those of a bulk call with `individualHooks`. */
type RowHookOptions = (SaveOptions | InstanceDestroyOptions | InstanceRestoreOptions | DestroyOptions) &
  WriteOptions & {
    readonly silent?: boolean;
    readonly force?: boolean;
    readonly individualHooks?: boolean;
  };

/**
 * Hooks for writes of one instance: create, update and save (`afterCreate`/`afterUpdate`,
 * which Sequelize also runs per row for `Model.update(…, { individualHooks })` and
 * `bulkCreate(…, { individualHooks })`), destroy and restore (also per row for the bulk
 * forms with `individualHooks`).
 *
 * The paths start from the row's foreign keys before and after the write. An instance
 * loaded without some of them (`findByPk(id, { attributes: ['id', 'body'] })`) has them
 * read by its before-hook, inside the write's transaction: the values the write
 * replaces. If that read fails, every model the paths reach is invalidated.
 */
export function createInstanceHooks(runner: HookRunner) {
  const reads = new UnloadedReads();

  /** The written row after and before the write, with what the instance did not load read from the database. */
  function written(plan: ModelPlan, instance: Model, options: RowHookOptions, tokenChanged: boolean): Written {
    const stored = reads.take(instance, options);
    const fill = (row: Row) => (stored === undefined || stored === 'unknown' ? row : withStored(row, stored));
    return {
      rows: [fill(currentRow(instance, plan.rowAttributes))],
      // Before a save of an existing row; before a destroy or restore too, which save unsaved changes.
      before: instance.isNewRecord ? [] : [fill(previousRow(instance, plan.rowAttributes))],
      instances: [instance],
      tokenChanged,
      pathsUnknown: stored === 'unknown',
    };
  }

  return {
    /** beforeSave, beforeDestroy, beforeRestore: checks the rules; reads the path attributes the instance did not load. */
    async before(instance: Model, options: RowHookOptions): Promise<void> {
      const plan = runner.before(modelOf(instance), options);
      if (plan !== undefined) await reads.before(plan, instance, options, runner.report);
    },

    /** afterSave: the row, its old and new parents. */
    afterSave(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) => {
        const created = instance.isNewRecord; // still true in afterCreate
        const tokenChanged = created || (plan.spec.using !== undefined && attributeChanged(instance, plan.spec.using));
        return invalidationsOfWrite(plan, written(plan, instance, options, tokenChanged), options, runner.report);
      });
    },

    /** afterDestroy: the row and its parents. */
    afterDestroy(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) => {
        const softDelete = plan.paranoid && options.force !== true;
        // A hard delete leaves no row to render. A soft delete of one instance saves it with a
        // new updatedAt; the bulk form (individualHooks) sets only deletedAt.
        const tokenChanged = !softDelete || savedWithNewUpdatedAt(plan, options);
        return invalidationsOfWrite(plan, written(plan, instance, options, tokenChanged), options, runner.report);
      });
    },

    /** afterRestore: the row and its parents. */
    afterRestore(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) =>
        invalidationsOfWrite(
          plan,
          written(plan, instance, options, savedWithNewUpdatedAt(plan, options)),
          options,
          runner.report,
        ),
      );
    },
  };
}

/** `instance.destroy()` (paranoid) and `instance.restore()` save the row, which sets updatedAt unless silent. */
function savedWithNewUpdatedAt(plan: ModelPlan, options: RowHookOptions): boolean {
  const { using } = plan.spec;
  return using !== undefined && using === plan.updatedAt && options.individualHooks !== true && options.silent !== true;
}
