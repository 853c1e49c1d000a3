import { CacheSweeperError } from '@cachesweeper/core';
import type { Sequelize } from 'sequelize';
import type { PathNode } from './plan-types';
import type { CheckedRule } from './rules';
import { selectByKeysSql } from './select-rows';
import type { AnyModel, BelongsToShape } from './sequelize-shapes';
import { keepsCounter } from './token-specs';

interface Branch {
  readonly path: string;
  readonly alias: string;
  readonly association: BelongsToShape;
  invalidates: boolean;
  readonly children: Map<string, Branch>;
}

/**
 * Resolves a rule's paths over the models' belongsTo associations into a tree (shared
 * prefixes are read once). Throws a CacheSweeperError naming the rule and the path when
 * a step is not a belongsTo association, or reaches a model without a rule or whose
 * token has no counter.
 */
export function resolvePaths(
  sequelize: Sequelize,
  model: AnyModel,
  rule: CheckedRule,
  rules: ReadonlyMap<string, CheckedRule>,
): PathNode[] {
  const roots = new Map<string, Branch>();
  for (const aliases of rule.paths) {
    let source = model;
    let branches = roots;
    aliases.forEach((alias, index) => {
      const path = aliases.slice(0, index + 1).join('.');
      const association = belongsTo(sequelize, source, alias, rule, aliases.join('.'));
      let branch = branches.get(alias);
      if (!branch) {
        branch = { path, alias, association, invalidates: false, children: new Map() };
        branches.set(alias, branch);
      }
      if (index === aliases.length - 1) {
        checkReached(association.target, rule, path, rules);
        branch.invalidates = true;
      }
      source = association.target;
      branches = branch.children;
    });
  }
  return [...roots.values()].map((branch) => toNode(branch, rules));
}

function belongsTo(
  sequelize: Sequelize,
  source: AnyModel,
  alias: string,
  rule: CheckedRule,
  fullPath: string,
): BelongsToShape {
  const fail = (message: string) =>
    new CacheSweeperError('sequelize', `rule ${rule.model}: path '${fullPath}': ${message}`);
  const association = (source.associations as Record<string, unknown>)[alias] as BelongsToShape | undefined;
  if (association === undefined) {
    const known = Object.keys(source.associations);
    throw fail(
      `${source.name} has no association '${alias}' (its associations: ${known.length === 0 ? 'none' : known.join(', ')}); define the associations before installSweeper, or define the models after it`,
    );
  }
  if (association.associationType !== 'BelongsTo') {
    throw fail(
      `${source.name}.${alias} is a ${association.associationType} association; paths follow belongsTo only (write the rule on the other model)`,
    );
  }
  if (association.target.sequelize !== sequelize) {
    throw fail(`${source.name}.${alias} leads to a model of another Sequelize instance`);
  }
  return association;
}

function checkReached(
  target: AnyModel,
  rule: CheckedRule,
  path: string,
  rules: ReadonlyMap<string, CheckedRule>,
): void {
  const reached = rules.get(target.name);
  if (reached === undefined) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: path '${path}' reaches ${target.name}, which has no rule; add ${target.name}: {} so that writes to ${target.name} invalidate it too`,
    );
  }
  if (!keepsCounter(reached.spec)) {
    throw new CacheSweeperError(
      'sequelize',
      `rule ${rule.model}: path '${path}' reaches ${target.name}, which is keyed by "${reached.spec.using}" alone (counter: false); other rows' writes cannot change that attribute, so drop counter: false from rule ${target.name}`,
    );
  }
}

function toNode(branch: Branch, rules: ReadonlyMap<string, CheckedRule>): PathNode {
  const { target, targetKey, foreignKey } = branch.association;
  const children = [...branch.children.values()].map((child) => toNode(child, rules));
  const keys = target.primaryKeyAttributes;
  // A row that lives within another is read for the attribute naming it, so that one is invalidated too.
  const within = (rules.get(target.name)?.spec.within ?? []).map(([, attribute]) => attribute);
  const rowAttributes = [...new Set([...keys, targetKey, ...children.map((child) => child.foreignKey), ...within])];
  const direct = children.length === 0 && within.length === 0 && keys.length === 1 && keys[0] === targetKey;
  return {
    path: branch.path,
    alias: branch.alias,
    foreignKey,
    target,
    targetKey,
    invalidates: branch.invalidates,
    rowAttributes,
    direct,
    within,
    select: direct ? '' : selectByKeysSql(target, rowAttributes, targetKey),
    children,
  };
}

/** The models a rule's paths invalidate (for a bulk write whose rows nobody can name). */
export function reachedModels(nodes: readonly PathNode[]): string[] {
  const names = new Set<string>();
  const visit = (node: PathNode) => {
    if (node.invalidates) names.add(node.target.name);
    node.children.forEach(visit);
  };
  nodes.forEach(visit);
  return [...names];
}
