import { CacheSweeperError } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import { type PathNode, reachedModels, resolvePaths } from './paths';
import type { CheckedRule } from './rules';
import { type AnyModel, internalsOf } from './sequelize-shapes';

/** A rule checked against its model: everything a hook needs to turn a write into invalidations. */
export interface ModelPlan {
  /** The model name. */
  readonly model: string;
  /** The model class the plan was made from. */
  readonly modelClass: AnyModel;
  /** The token attribute, if any. */
  readonly using: string | undefined;
  /** Whether rows keep a per-row counter. */
  readonly counter: boolean;
  /** The primary key attributes. */
  readonly primaryKeys: readonly string[];
  /** The foreign keys the paths start from. */
  readonly foreignKeys: readonly string[];
  /** Attributes to read from written rows: primary keys and foreign keys. */
  readonly rowAttributes: readonly string[];
  /** The rule's paths as a tree. */
  readonly tree: readonly PathNode[];
  /** The models the paths invalidate. */
  readonly reach: readonly string[];
  /** The model's updatedAt attribute, when it keeps timestamps. */
  readonly updatedAt: string | undefined;
  /** Whether destroy only marks rows deleted. */
  readonly paranoid: boolean;
}

/** Throws unless the model has a primary key and the rule's `using` attribute. */
export function checkModel(rule: CheckedRule, model: AnyModel): void {
  if (model.primaryKeyAttributes.length === 0) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: ${model.name} has no primary key, so its rows cannot be cache targets`,
    );
  }
  if (rule.using !== undefined && !(rule.using in model.getAttributes())) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: using "${rule.using}", but ${model.name} has no attribute "${rule.using}" (its attributes: ${Object.keys(model.getAttributes()).join(', ')})`,
    );
  }
}

/** Checks one rule against its defined model and resolves its paths; throws naming the rule. */
export function compileRule(
  sequelize: Sequelize,
  model: AnyModel,
  rule: CheckedRule,
  rules: ReadonlyMap<string, CheckedRule>,
): ModelPlan {
  checkModel(rule, model);
  const tree = resolvePaths(sequelize, model, rule, rules);
  const foreignKeys = [...new Set(tree.map((node) => node.foreignKey))];
  const timestamps = internalsOf(model)._timestampAttributes;
  return {
    model: rule.model,
    modelClass: model,
    using: rule.using,
    counter: rule.counter,
    primaryKeys: model.primaryKeyAttributes,
    foreignKeys,
    rowAttributes: [...new Set([...model.primaryKeyAttributes, ...foreignKeys])],
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
