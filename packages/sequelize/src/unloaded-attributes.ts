import type { Model, Transaction } from 'sequelize';
import { currentRow } from './instance-rows';
import type { ModelPlan, Row } from './plan-types';
import { selectRows } from './select-rows';

/**
 * The path attributes (primary and foreign keys) a written instance did not load, as
 * `Comment.findByPk(id, { attributes: ['id', 'body'] })` leaves `articleId` out: an
 * unloaded attribute's previous value is `undefined` (the database never returns it).
 * A new row has none: what it does not set is inserted as NULL or its default.
 */
export function unloadedAttributes(plan: ModelPlan, instance: Model): string[] {
  if (instance.isNewRecord) return [];
  return plan.rowAttributes.filter((name) => instance.previous(name as never) === undefined);
}

/**
 * Reads the attributes an instance did not load from its row, inside the write's
 * transaction, before the write: the values it replaces (the row is locked where the
 * dialect can; see `selectRows`). Resolves `undefined` when the instance's primary key
 * is unknown or the row is gone; rejects when the query fails.
 */
export async function readUnloaded(
  plan: ModelPlan,
  instance: Model,
  transaction: Transaction | null | undefined,
): Promise<Row | undefined> {
  const where: Record<string, unknown> = {};
  for (const name of plan.primaryKeys) {
    const value = instance.get(name);
    if (value === undefined || value === null) return undefined;
    where[name] = value;
  }
  const [row] = await selectRows(plan.modelClass, plan.rowAttributes, where, transaction, true);
  return row;
}

/** `readUnloaded`, or `'unknown'` when the read failed (reported) or found no row. */
async function readOrUnknown(
  plan: ModelPlan,
  instance: Model,
  transaction: Transaction | null | undefined,
  report: (error: unknown) => void,
): Promise<Row | 'unknown'> {
  try {
    return (await readUnloaded(plan, instance, transaction)) ?? 'unknown';
  } catch (error) {
    report(error);
    return 'unknown';
  }
}

/**
 * The instance's path attributes as they are now, those it did not load read from its
 * row (`readUnloaded`); `pathsUnknown` when that read failed.
 */
export async function currentRowWithUnloaded(
  plan: ModelPlan,
  instance: Model,
  transaction: Transaction | null | undefined,
  report: (error: unknown) => void,
): Promise<{ readonly row: Row; readonly pathsUnknown: boolean }> {
  const row = currentRow(instance, plan.rowAttributes);
  if (unloadedAttributes(plan, instance).length === 0) return { row, pathsUnknown: false };
  const stored = await readOrUnknown(plan, instance, transaction, report);
  return stored === 'unknown' ? { row, pathsUnknown: true } : { row: withStored(row, stored), pathsUnknown: false };
}

/** `row` with each `undefined` value taken from `stored` (what the instance did not load). */
export function withStored(row: Row, stored: Row): Row {
  const filled: Record<string, unknown> = { ...row };
  for (const [name, value] of Object.entries(row)) if (value === undefined) filled[name] = stored[name];
  return filled;
}

/**
 * Carries what an instance's before-hook read (`readUnloaded`) to its after-hook.
 * Sequelize hands both hooks of one `save`, `destroy` or `restore` the same options
 * object, which tells this write's read from another's of the same instance.
 */
export class UnloadedReads {
  readonly #pending = new WeakMap<Model, { readonly options: object; readonly stored: Row | 'unknown' }>();

  /** Reads what the instance did not load, if anything; a failure is reported and remembered as unknown. */
  async before(
    plan: ModelPlan,
    instance: Model,
    options: { readonly transaction?: Transaction | null },
    report: (error: unknown) => void,
  ): Promise<void> {
    this.#pending.delete(instance);
    if (unloadedAttributes(plan, instance).length === 0) return;
    const stored = await readOrUnknown(plan, instance, options.transaction, report);
    this.#pending.set(instance, { options, stored });
  }

  /**
   * The row as stored before this write; `undefined` when the instance had loaded every
   * path attribute (nothing was read); `'unknown'` when the read failed or found no row.
   */
  take(instance: Model, options: object): Row | 'unknown' | undefined {
    const pending = this.#pending.get(instance);
    if (pending === undefined || pending.options !== options) return undefined;
    this.#pending.delete(instance);
    return pending.stored;
  }
}
