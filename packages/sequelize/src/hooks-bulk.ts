import type { WhereOptions } from 'sequelize';
import { afterWrite, beforeWrite, gather, type HookContext, wholeModel } from './gather';
import type { Row } from './ids';
import { pinsPrimaryKey } from './pins';
import { selectRows } from './select-rows';
import type { AnyModel } from './sequelize-shapes';
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
export function createBulkHooks(context: HookContext) {
  const before = new WeakMap<BulkOptions, readonly Row[] | undefined>();

  return {
    /** before…: checks the rules; reads the pinned rows. */
    async before(options: BulkOptions): Promise<void> {
      const plan = beforeWrite(context, options.model, options);
      if (plan === undefined || options.individualHooks === true) return;
      if (options.where === undefined || !pinsPrimaryKey(plan.modelClass, options.where)) {
        before.set(options, undefined);
        return;
      }
      try {
        before.set(options, await selectRows(plan.modelClass, plan.rowAttributes, options.where, options.transaction));
      } catch (error) {
        context.report(error);
        before.set(options, undefined);
      }
    },

    /** after…: invalidates what the write touched. */
    after(kind: BulkKind, options: BulkOptions): Promise<void> {
      if (options.individualHooks === true) return Promise.resolve();
      return afterWrite(context, options.model, options.transaction, async (plan) => {
        const rows = before.get(options);
        before.delete(options);
        if (rows === undefined) return wholeModel(plan);
        if (kind === 'update') {
          const values = options.attributes ?? {};
          const moved = Object.fromEntries(plan.foreignKeys.filter((fk) => fk in values).map((fk) => [fk, values[fk]]));
          return gather(
            plan,
            {
              rows: rows.map((row) => ({ ...row, ...moved })),
              before: rows,
              tokenChanged: plan.using !== undefined && plan.using in values,
            },
            options,
            context.report,
          );
        }
        // A bulk soft delete or restore sets deletedAt alone: updatedAt keeps its value.
        const hardDelete = kind === 'destroy' && (!plan.paranoid || options.force === true);
        return gather(plan, { rows, tokenChanged: hardDelete }, options, context.report);
      });
    },
  };
}
