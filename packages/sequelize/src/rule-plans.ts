import type { Sequelize } from 'sequelize';
import { compileRule, compileRules, definedModel } from './compile-rules';
import type { ModelPlan } from './plan-types';
import type { CheckedRule } from './rules';
import type { AnyModel } from './sequelize-shapes';

/**
 * When rules are checked against models:
 * - at install, every rule whose model is already defined (its `using`, its paths);
 * - at the first write of any model (or `verify()`), everything: each ruled model
 *   must be defined and each path must resolve, or that write is refused.
 * A ruled model defined after install, or defined again (replaced), is checked at the
 * next write: Sequelize runs `afterDefine` hooks without awaiting them, so an error
 * thrown there would only become an unhandled rejection.
 */
export class RulePlans {
  readonly #sequelize: Sequelize;
  readonly #rules: ReadonlyMap<string, CheckedRule>;
  #plans: Map<string, ModelPlan> | undefined;

  constructor(sequelize: Sequelize, rules: ReadonlyMap<string, CheckedRule>) {
    this.#sequelize = sequelize;
    this.#rules = rules;
  }

  /** Checks the rules of models defined so far; throws naming the rule. */
  checkDefined(): void {
    for (const rule of this.#rules.values()) {
      const model = definedModel(this.#sequelize, rule.model);
      if (model !== undefined) compileRule(this.#sequelize, model, rule, this.#rules);
    }
  }

  /** Called for each model defined after install: its rule is checked again at the next write. */
  defined(model: AnyModel): void {
    if (this.#rules.has(model.name)) this.#plans = undefined;
  }

  /** Every rule checked against its model (compiled on first use); throws naming the rule. */
  plans(): ReadonlyMap<string, ModelPlan> {
    this.#plans ??= compileRules(this.#sequelize, this.#rules);
    return this.#plans;
  }

  /** The plan of a model, if it has a rule. */
  planOf(model: AnyModel): ModelPlan | undefined {
    return this.plans().get(model.name);
  }
}
