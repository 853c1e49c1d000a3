import type { Transaction } from 'sequelize';
import type { CommitQueue } from './after-commit';
import { checkWriteOptions } from './check-write-options';
import type { Invalidations } from './invalidations';
import type { ModelPlan } from './plan-types';
import type { RulePlans } from './rule-plans';
import type { AnyModel } from './sequelize-shapes';
import { wholeModelInvalidations } from './write-invalidations';

/**
 * What every hook of one installation shares: the rules, the commit queue, and where
 * failures go; and the two steps every write takes, a check before it and the
 * invalidations after it.
 */
export class HookRunner {
  /** The rules, checked against the models. */
  readonly rules: RulePlans;
  /** Defers invalidations to the outermost commit. */
  readonly queue: CommitQueue;
  /** Reports a failure that must not fail the write. */
  readonly report: (error: unknown) => void;

  constructor(rules: RulePlans, queue: CommitQueue, report: (error: unknown) => void) {
    this.rules = rules;
    this.queue = queue;
    this.report = report;
  }

  /**
   * A before-hook's check: the rules must hold, and the write's `cachesweeper` option must
   * be well formed, before anything is written (throws naming the rule or the value).
   * Returns the written model's plan, if it has a rule.
   */
  before(model: AnyModel | undefined, options: unknown): ModelPlan | undefined {
    this.rules.plans();
    checkWriteOptions(options);
    return model === undefined ? undefined : this.rules.planOf(model);
  }

  /**
   * Works out an after-hook's invalidations and schedules them. A failure to work out
   * the rows invalidates the whole model instead, reported; nothing else throws (the write
   * already happened), except an outbox row that could not be written in the write's
   * transaction: the write then fails, as its data cannot commit without its invalidations.
   */
  async after(
    model: AnyModel | undefined,
    transaction: Transaction | null | undefined,
    compute: (plan: ModelPlan) => Promise<Invalidations>,
  ): Promise<void> {
    let invalidations: Invalidations;
    try {
      const plan = model === undefined ? undefined : this.rules.planOf(model);
      if (plan === undefined) return;
      try {
        invalidations = await compute(plan);
      } catch (error) {
        this.report(error);
        invalidations = wholeModelInvalidations(plan);
      }
    } catch (error) {
      this.report(error);
      return;
    }
    await this.queue.schedule(transaction, invalidations);
  }
}
