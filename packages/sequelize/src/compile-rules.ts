import { CacheSweeperError } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import type { ModelPlan } from './plan-types';
import { reachedModels, resolvePaths } from './resolve-paths';
import type { CheckedRule } from './rules';
import { type AnyModel, internalsOf } from './sequelize-shapes';

/** Throws unless the model has a primary key, the rule's `using` attribute and its `within` attributes. */
export function checkModel(rule: CheckedRule, model: AnyModel, rules?: ReadonlyMap<string, CheckedRule>): void {
  const { using } = rule.spec;
  if (model.primaryKeyAttributes.length === 0) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: ${model.name} has no primary key, so its rows cannot be cache targets`,
    );
  }
  if (using !== undefined && !(using in model.getAttributes())) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: using "${using}", but ${model.name} has no attribute "${using}" (its attributes: ${Object.keys(model.getAttributes()).join(', ')})`,
    );
  }
  for (const [container, attribute] of rule.spec.within) {
    if (!(attribute in model.getAttributes())) {
      throw new CacheSweeperError(
        'sequelize',
        `rule ${rule.model}: within ${container} by "${attribute}", but ${model.name} has no attribute "${attribute}" (its attributes: ${Object.keys(model.getAttributes()).join(', ')})`,
      );
    }
    if (rules !== undefined && !rules.has(container)) {
      throw new CacheSweeperError(
        'sequelize',
        `rule ${rule.model}: within ${container}, which has no rule; add ${container}: {} so that writes to ${container} invalidate its blocks too`,
      );
    }
  }
}

/** Checks one rule against its defined model and resolves its paths; throws naming the rule. */
export function compileRule(
  sequelize: Sequelize,
  model: AnyModel,
  rule: CheckedRule,
  rules: ReadonlyMap<string, CheckedRule>,
): ModelPlan {
  checkModel(rule, model, rules);
  const tree = resolvePaths(sequelize, model, rule, rules);
  const within = rule.spec.within.map(([, attribute]) => attribute);
  // A `within` attribute is a foreign key too: a write that changes it moves the row.
  const foreignKeys = [...new Set([...tree.map((node) => node.foreignKey), ...within])];
  const timestamps = internalsOf(model)._timestampAttributes;
  return {
    model: rule.model,
    modelClass: model,
    spec: rule.spec,
    primaryKeys: model.primaryKeyAttributes,
    foreignKeys,
    rowAttributes: [...new Set([...model.primaryKeyAttributes, ...foreignKeys])],
    within,
    tree,
    reach: reachedModels(tree),
    updatedAt: timestamps.updatedAt,
    paranoid: timestamps.deletedAt !== undefined,
  };
}

/** Compiles every rule; throws naming the first rule whose model is not defined or does not check. */
export function compileRules(sequelize: Sequelize, rules: ReadonlyMap<string, CheckedRule>): Map<string, ModelPlan> {
  const plans = new Map<string, ModelPlan>();
  for (const rule of rules.values()) {
    const model = definedModel(sequelize, rule.model);
    if (model === undefined) {
      const defined = Object.keys(sequelize.models);
      throw new CacheSweeperError(
        'sequelize',
        `rule ${rule.model}: no model named ${rule.model} is defined (defined: ${defined.length === 0 ? 'none' : defined.join(', ')})`,
      );
    }
    plans.set(rule.model, compileRule(sequelize, model, rule, rules));
  }
  return plans;
}

/** The model of that name, if this Sequelize instance defines one. */
export function definedModel(sequelize: Sequelize, name: string): AnyModel | undefined {
  return sequelize.isDefined(name) ? (sequelize.model(name) as AnyModel) : undefined;
}
