import { CacheSweeperError, type Sweeper, sameTokenSpec, type TokenSpec } from '@cachesweeper/core';
import type { CheckedRule } from './rules';

/**
 * Whether rows of a model keep a per-row counter, which other rows' writes can bump
 * (a vote invalidating its article). The installer's one place to ask: core's spec
 * decides it, whether the spec comes from a rule or from the sweeper.
 */
export function keepsCounter(spec: TokenSpec): boolean {
  return spec.counter;
}

/**
 * Declares every ruled model's token on the sweeper, after checking that none conflicts
 * with a declaration already there: a refused install declares nothing.
 */
export function declareRuleTokens(sweeper: Sweeper, rules: ReadonlyMap<string, CheckedRule>): void {
  for (const rule of rules.values()) {
    const declared = sweeper.declaredSpec(rule.model);
    if (declared !== undefined && !sameTokenSpec(declared, rule.spec)) {
      throw new CacheSweeperError(
        'sequelize',
        `rule ${rule.model}: the sweeper already declares ${rule.model} as ${describeSpec(declared)}, the rule needs ${describeSpec(rule.spec)}; use another sweeper (or namespace), or make the declarations agree`,
      );
    }
  }
  for (const rule of rules.values()) {
    sweeper.declareModel(rule.model, { ...rule.spec, within: Object.fromEntries(rule.spec.within) });
  }
}

function describeSpec(spec: TokenSpec): string {
  const using = spec.using === undefined ? '' : `using: ${JSON.stringify(spec.using)}, `;
  const within = spec.within.length === 0 ? '' : `, within: ${JSON.stringify(Object.fromEntries(spec.within))}`;
  return `{ ${using}counter: ${spec.counter}, generation: ${spec.generation}${within} }`;
}
