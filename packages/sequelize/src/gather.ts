import type { Model, Transaction } from 'sequelize';
import type { CommitQueue } from './after-commit';
import { addCascade } from './cascade';
import { primaryKeyOf, type Row } from './ids';
import type { RulesState } from './rules-state';
import type { AnyModel } from './sequelize-shapes';
import type { ModelPlan } from './validate-rules';
import { Work } from './work';
import { checkWriteOptions, type WriteOptions } from './write-options';

/** What every hook shares: the rules, the commit queue, and where failures go. */
export interface HookContext {
  /** The rules, checked against the models. */
  readonly rules: RulesState;
  /** Defers work to the outermost commit. */
  readonly queue: CommitQueue;
  /** Reports a failure that must not fail the write. */
  readonly report: (error: unknown) => void;
}

/** What a write did to the rows of one model. */
export interface Written {
  /** The rows written (primary key and foreign keys): invalidated, and their paths followed. */
  readonly rows: readonly Row[];
  /** The same rows before the write, when their foreign keys may have changed: their paths are followed too. */
  readonly before?: readonly Row[];
  /** The instances written, when the hook has them: the associations they carry spare path queries. */
  readonly instances?: readonly Model[];
  /** Whether the write changed the `using` attribute of every row (else a counter-less model's generation is bumped). */
  readonly tokenChanged: boolean;
}

/**
 * The invalidations a write owes: the written rows, and the rows their paths reach
 * before and after the write. When following the paths fails (a query error), every
 * model the paths reach is invalidated instead, and the failure reported.
 */
export async function gather(
  plan: ModelPlan,
  written: Written,
  options: WriteOptions,
  report: (error: unknown) => void,
): Promise<Work> {
  const work = new Work();
  if (plan.counter) {
    for (const row of written.rows) {
      const id = primaryKeyOf(plan.modelClass, row);
      if (id !== undefined) work.addRow(plan.model, id);
    }
  } else if (!written.tokenChanged) {
    work.addModel(plan.model);
  }
  try {
    await addCascade(
      plan,
      [...written.rows, ...(written.before ?? [])],
      {
        transaction: options.transaction,
        loaded: options.cachesweeper?.loaded ?? [],
        instances: written.instances ?? [],
      },
      work,
    );
  } catch (error) {
    report(error);
    for (const model of plan.reach) work.addModel(model);
  }
  return work;
}

/** Every row of the model and of every model its paths reach: for writes whose rows nobody can name. */
export function wholeModel(plan: ModelPlan): Work {
  const work = new Work();
  work.addModel(plan.model);
  for (const model of plan.reach) work.addModel(model);
  return work;
}

/**
 * Runs an after-hook's work and schedules it; never throws (the write already
 * happened). A failure to work out the rows invalidates the whole model instead.
 */
export async function afterWrite(
  context: HookContext,
  model: AnyModel | undefined,
  transaction: Transaction | null | undefined,
  compute: (plan: ModelPlan) => Promise<Work>,
): Promise<void> {
  try {
    const plan = model === undefined ? undefined : context.rules.planOf(model);
    if (plan === undefined) return;
    let work: Work;
    try {
      work = await compute(plan);
    } catch (error) {
      context.report(error);
      work = wholeModel(plan);
    }
    await context.queue.schedule(transaction, work);
  } catch (error) {
    context.report(error);
  }
}

/**
 * A before-hook's check: the rules must hold, and the write's `cachesweeper` option must
 * be well formed, before anything is written (throws naming the rule or the value).
 */
export function beforeWrite(
  context: HookContext,
  model: AnyModel | undefined,
  options: unknown,
): ModelPlan | undefined {
  context.rules.plans();
  checkWriteOptions(options);
  return model === undefined ? undefined : context.rules.planOf(model);
}
