import type { WhereOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { pinsPrimaryKey } from './pinned-keys';
import type { Row } from './plan-types';
import { selectRows } from './select-rows';
import type { AnyModel } from './sequelize-shapes';
import { invalidationsOfWrite, wholeModelInvalidations } from './write-invalidations';
import type { WriteOptions } from './write-options';

/** The options object Sequelize hands to `before/afterBulkUpdate|Destroy|Restore` (one object for both). */
interface BulkOptions extends WriteOptions {
  readonly model?: AnyModel;
  readonly where?: WhereOptions;
  readonly individualHooks?: boolean;
  readonly force?: boolean;
  /** `Model.update` only: the values being written, by attribute. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** Which bulk write a hook pair handles. */
export type BulkKind = 'update' | 'destroy' | 'restore';

/**
 * Hooks for `Model.update`, `Model.destroy` and `Model.restore` without
 * `individualHooks` (with it, Sequelize runs the instance hooks per row and these
 * stand aside). When `where` pins the primary key, the rows' keys are read before the
 * write, in its transaction, and those rows and their parents (old and new, for an
 * update that moves them) are invalidated; otherwise the generation of the model and
 * of every model its paths reach is bumped.
 */
export function createBulkWhereHooks(runner: HookRunner) {
  const before = new WeakMap<BulkOptions, readonly Row[] | undefined>();

  return {
    /** before…: checks the rules; reads the pinned rows. */
    async before(options: BulkOptions): Promise<void> {
      const plan = runner.before(options.model, options);
      if (plan === undefined || options.individualHooks === true) return;
      if (options.where === undefined || !pinsPrimaryKey(plan.modelClass, options.where)) {
        before.set(options, undefined);
        return;
      }
      try {
        before.set(
          options,
          await selectRows(plan.modelClass, plan.rowAttributes, options.where, options.transaction, true),
        );
      } catch (error) {
        runner.report(error);
        before.set(options, undefined);
      }
    },

    /** after…: invalidates what the write touched. */
    after(kind: BulkKind, options: BulkOptions): Promise<void> {
      if (options.individualHooks === true) return Promise.resolve();
      return runner.after(options.model, options.transaction, async (plan) => {
        const rows = before.get(options);
        before.delete(options);
        if (rows === undefined) return wholeModelInvalidations(plan);
        if (kind === 'update') {
          const values = options.attributes ?? {};
          const moved = Object.fromEntries(plan.foreignKeys.filter((fk) => fk in values).map((fk) => [fk, values[fk]]));
          return invalidationsOfWrite(
            plan,
            {
              rows: rows.map((row) => ({ ...row, ...moved })),
              before: rows,
              tokenChanged: plan.spec.using !== undefined && plan.spec.using in values,
            },
            options,
            runner.report,
          );
        }
        // A bulk soft delete or restore sets deletedAt alone: updatedAt keeps its value.
        const hardDelete = kind === 'destroy' && (!plan.paranoid || options.force === true);
        return invalidationsOfWrite(plan, { rows, tokenChanged: hardDelete }, options, runner.report);
      });
    },
  };
}
