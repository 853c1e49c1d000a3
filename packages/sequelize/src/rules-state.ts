import type { Sequelize } from 'sequelize';
import type { CheckedRule } from './rules';
import type { AnyModel } from './sequelize-shapes';
import { checkModel, compileRule, compileRules, definedModel, type ModelPlan } from './validate-rules';

/**
 * When rules are checked against models:
 * - at install, every rule whose model is already defined (its `using`, its paths);
 * - when a ruled model is defined later, its `using` (so `define` throws);
 * - at the first write of any model (or `verify()`), everything: each ruled model
 *   must be defined and each path must resolve, or that write is refused.
 * A ruled model defined again (replaced) is checked again at the next write.
 */
export class RulesState {
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

  /** Called for each model defined after install. */
  defined(model: AnyModel): void {
    const rule = this.#rules.get(model.name);
    if (rule === undefined) return;
    this.#plans = undefined;
    checkModel(rule, model);
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
