import type { DestroyOptions, InstanceDestroyOptions, InstanceRestoreOptions, Model, SaveOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { attributeChanged, currentRow, previousRow } from './instance-rows';
import { modelOf } from './sequelize-shapes';
import { invalidationsOfWrite } from './write-invalidations';
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
 */
export function createInstanceHooks(runner: HookRunner) {
  return {
    /** afterSave: the row, its old and new parents. */
    afterSave(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) => {
        const created = instance.isNewRecord; // still true in afterCreate
        return invalidationsOfWrite(
          plan,
          {
            rows: [currentRow(instance, plan.rowAttributes)],
            before: created ? [] : [previousRow(instance, plan.rowAttributes)],
            instances: [instance],
            tokenChanged: created || (plan.spec.using !== undefined && attributeChanged(instance, plan.spec.using)),
          },
          options,
          runner.report,
        );
      });
    },

    /** afterDestroy: the row and its parents. */
    afterDestroy(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) => {
        const softDelete = plan.paranoid && options.force !== true;
        // A hard delete leaves no row to render. A soft delete of one instance saves it with a
        // new updatedAt; the bulk form (individualHooks) sets only deletedAt.
        const tokenChanged = !softDelete || savedWithNewUpdatedAt(plan.spec.using, plan.updatedAt, options);
        return invalidationsOfWrite(
          plan,
          { rows: [currentRow(instance, plan.rowAttributes)], instances: [instance], tokenChanged },
          options,
          runner.report,
        );
      });
    },

    /** afterRestore: the row and its parents. */
    afterRestore(instance: Model, options: RowHookOptions): Promise<void> {
      return runner.after(modelOf(instance), options.transaction, (plan) =>
        invalidationsOfWrite(
          plan,
          {
            rows: [currentRow(instance, plan.rowAttributes)],
            instances: [instance],
            tokenChanged: savedWithNewUpdatedAt(plan.spec.using, plan.updatedAt, options),
          },
          options,
          runner.report,
        ),
      );
    },
  };
}

/** `instance.destroy()` (paranoid) and `instance.restore()` save the row, which sets updatedAt unless silent. */
function savedWithNewUpdatedAt(
  using: string | undefined,
  updatedAt: string | undefined,
  options: RowHookOptions,
): boolean {
  return using !== undefined && using === updatedAt && options.individualHooks !== true && options.silent !== true;
}
