import type { Transaction, WhereOptions } from 'sequelize';
import type { HookRunner } from './hook-runner';
import { pinsPrimaryKey } from './pinned-keys';
import type { ModelPlan, Row } from './plan-types';
import { selectRows } from './select-rows';
import { type AnyModel, isInstance } from './sequelize-shapes';
import { currentRowWithUnloaded } from './unloaded-attributes';
import { invalidationsOfWrite, type Written, wholeModelInvalidations } from './write-invalidations';
import type { WriteOptions } from './write-options';
import { writeTransaction } from './write-transaction';

/** The options of `Model.increment` the wrapper reads; `instance.increment` adds `instance` and pins its key in `where`. */
interface IncrementOptions extends WriteOptions {
  readonly where?: WhereOptions;
  readonly silent?: boolean;
  readonly instance?: unknown;
}

type Increment = (this: AnyModel, fields: unknown, options?: IncrementOptions) => Promise<unknown>;

/** What an increment owes, worked out before it runs: its rows, or (rows nobody can name) the whole model. */
interface Prepared {
  readonly transaction: Transaction | null | undefined;
  readonly written: Written | undefined;
}

/**
 * Sequelize 6 runs no hooks for `increment` and `decrement` (instance or static; verified
 * on 6.37). All four end in the model's static `increment`: `decrement` calls it with
 * `increment: false`, and the instance methods call `this.constructor.increment` with
 * the instance's key in `where`. So the installer wraps `increment` on each ruled model
 * it is given (an own property of that class, never Sequelize's `Model`), and
 * `uninstall()` puts back what was there. Before the call, the wrapper works out the
 * rows as a write's before-hook does (the instance's row, or the rows a pinned `where`
 * names, read inside the transaction; any other `where`: the whole model); after it,
 * it invalidates them after the outermost commit, like any other write. A model whose
 * `increment` cannot be replaced (a frozen class) gets a warning, once.
 */
export class IncrementWrappers {
  readonly #runner: HookRunner;
  readonly #wrapped = new Map<AnyModel, PropertyDescriptor | undefined>();
  readonly #warned = new Set<string>();

  constructor(runner: HookRunner) {
    this.#runner = runner;
  }

  /** Wraps the model's `increment` (and so `decrement` and the instance methods); idempotent. */
  wrap(model: AnyModel): void {
    if (this.#wrapped.has(model)) return;
    const own = Object.getOwnPropertyDescriptor(model, 'increment');
    const original = model.increment as unknown as Increment;
    const wrappers = this;
    const increment: Increment = async function (this: AnyModel, fields, options) {
      if (this !== model) return original.call(this, fields, options);
      const prepared = await wrappers.#before(model, fields, options);
      const result = await original.call(this, fields, options);
      if (prepared !== undefined) await wrappers.#after(model, prepared, options);
      return result;
    };
    try {
      Object.defineProperty(model, 'increment', { value: increment, writable: true, configurable: true });
      this.#wrapped.set(model, own);
    } catch (error) {
      this.#warn(model, error);
    }
  }

  /** Puts back every wrapped model's own `increment` as it was (or removes the wrapper, so `Model`'s is used again). */
  unwrapAll(): void {
    for (const [model, own] of this.#wrapped) {
      if (own === undefined) Reflect.deleteProperty(model, 'increment');
      else Object.defineProperty(model, 'increment', own);
    }
    this.#wrapped.clear();
  }

  async #before(
    model: AnyModel,
    fields: unknown,
    options: IncrementOptions | undefined,
  ): Promise<Prepared | undefined> {
    const plan = this.#runner.before(model, options);
    if (plan === undefined) return undefined;
    const transaction = writeTransaction(model.sequelize!, options?.transaction);
    const names = incrementedAttributes(model, fields);
    const using = plan.spec.using;
    const tokenChanged =
      using !== undefined && ((using === plan.updatedAt && options?.silent !== true) || names.includes(using));
    // Incrementing a foreign key moves the row somewhere nobody names.
    const moves = names.some((name) => plan.foreignKeys.includes(name));
    const instance = options?.instance;
    if (isInstance(instance) && instance instanceof model) {
      const { row, pathsUnknown } = await currentRowWithUnloaded(plan, instance, transaction, this.#runner.report);
      const written = { rows: [row], instances: [instance], tokenChanged, pathsUnknown: pathsUnknown || moves };
      return { transaction, written };
    }
    const rows = await this.#pinnedRows(plan, options?.where, transaction);
    return { transaction, written: rows && { rows, tokenChanged, pathsUnknown: moves } };
  }

  /** The rows a `where` pinning the primary key names, read before the write; `undefined` for any other `where`. */
  async #pinnedRows(
    plan: ModelPlan,
    where: WhereOptions | undefined,
    transaction: Transaction | null | undefined,
  ): Promise<readonly Row[] | undefined> {
    if (where === undefined || !pinsPrimaryKey(plan.modelClass, where)) return undefined;
    try {
      return await selectRows(plan.modelClass, plan.rowAttributes, where, transaction, true);
    } catch (error) {
      this.#runner.report(error);
      return undefined;
    }
  }

  #after(model: AnyModel, prepared: Prepared, options: IncrementOptions | undefined): Promise<void> {
    const { transaction, written } = prepared;
    return this.#runner.after(model, transaction, (plan) =>
      written === undefined
        ? Promise.resolve(wholeModelInvalidations(plan))
        : invalidationsOfWrite(
            plan,
            written,
            { transaction, cachesweeper: options?.cachesweeper },
            this.#runner.report,
          ),
    );
  }

  #warn(model: AnyModel, cause: unknown): void {
    if (this.#warned.has(model.name)) return;
    this.#warned.add(model.name);
    const reason = cause instanceof Error ? cause.message : String(cause);
    process.emitWarning(
      `[cachesweeper] [sequelize] cannot wrap ${model.name}.increment (${reason}): Sequelize runs no hooks for increment/decrement, so ${model.name}'s increments and decrements invalidate nothing; call installation.invalidate(rows) after them`,
      { type: 'CacheSweeperWarning', code: 'CACHESWEEPER_INCREMENT_UNWRAPPED' },
    );
  }
}

/** The attributes an increment changes, from its `fields` (a name, names, or amounts by name; attribute or column names). */
function incrementedAttributes(model: AnyModel, fields: unknown): string[] {
  const given =
    typeof fields === 'string'
      ? [fields]
      : Array.isArray(fields)
        ? fields.filter((name): name is string => typeof name === 'string')
        : fields !== null && typeof fields === 'object'
          ? Object.keys(fields)
          : [];
  const attributes = model.getAttributes() as Record<string, { field?: string }>;
  const byField = new Map(Object.entries(attributes).map(([name, attribute]) => [attribute.field ?? name, name]));
  return given.map((name) => (name in attributes ? name : (byField.get(name) ?? name)));
}
