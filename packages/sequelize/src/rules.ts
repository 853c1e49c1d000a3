import { CacheSweeperError, describeValue, type TokenSpec, toTokenSpec } from '@cachesweeper/core';

/**
 * What a write to one model invalidates, and how that model's token is kept.
 *
 * @example
 * const rules: SweeperRules = {
 *   Article: { using: 'updatedAt' },
 *   Comment: { invalidates: ['article'] },
 *   Vote: { invalidates: ['comment', 'comment.article'] },
 * };
 */
export interface ModelRule {
  /** Key the model's fragments by this row attribute (e.g. `updatedAt`), read from the row as loaded. */
  readonly using?: string;
  /**
   * With `using`: also keep a per-row counter, so writes to other rows can invalidate this one
   * (default `true`). `false` = the attribute alone, zero round trips; then no rule may reach this model.
   */
  readonly counter?: boolean;
  /** belongsTo association paths (`'comment'`, `'comment.article'`) whose rows a write to this model invalidates, besides the row itself. */
  readonly invalidates?: readonly string[];
  /**
   * The rows this model's rows are shown within, as core's `within`: `{ Article: 'articleId' }`.
   * A block of the containing row records the row's contents counter instead of the counters
   * of the blocks within it, so its hit reads a fixed number of keys. A write to a row
   * invalidates its containing row too (before and after the write: the container's list may
   * have changed); a row a rule's path reaches (a vote's comment) bumps only the container's
   * contents counter, so its blocks keep their key. Each containing model needs a rule of its own.
   */
  readonly within?: Readonly<Record<string, string>>;
}

/** Rules by model name (`Model.name`, i.e. the name given to `sequelize.define` or `Model.init`). */
export type SweeperRules = Readonly<Record<string, ModelRule>>;

/** A rule whose shape has been checked, with its token spec worked out. */
export interface CheckedRule {
  /** The model name. */
  readonly model: string;
  /** The association paths, split into aliases. */
  readonly paths: readonly (readonly string[])[];
  /**
   * The spec declared on the sweeper (core's `toTokenSpec`): a counter unless `counter: false`,
   * and a generation for every ruled model, for bulk writes nobody can name.
   */
  readonly spec: TokenSpec;
}

const RULE_KEYS = new Set(['using', 'counter', 'invalidates', 'within']);
const ALIAS = /^[^.\s]+$/;

/** Checks the shape of every rule (no Sequelize needed); throws a CacheSweeperError naming the rule. */
export function checkRules(rules: unknown): Map<string, CheckedRule> {
  if (rules === null || typeof rules !== 'object' || Array.isArray(rules)) {
    throw new CacheSweeperError(
      'sequelize',
      `rules must be an object of rules by model name, got ${describeValue(rules)}`,
    );
  }
  const checked = new Map<string, CheckedRule>();
  for (const [model, rule] of Object.entries(rules)) checked.set(model, checkRule(model, rule));
  return checked;
}

function checkRule(model: string, rule: unknown): CheckedRule {
  const fail = (message: string) => new CacheSweeperError('sequelize', `rule ${model}: ${message}`);
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw fail(
      `must be an object such as { using: 'updatedAt' } or { invalidates: ['article'] }, got ${describeValue(rule)}`,
    );
  }
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key))
      throw fail(`unknown option ${describeValue(key)}; a rule takes using, counter, invalidates, within`);
  }
  const { using, counter, invalidates = [], within } = rule as ModelRule;
  if (using !== undefined && (typeof using !== 'string' || using.length === 0)) {
    throw fail(`"using" must be an attribute name, got ${describeValue(using)}`);
  }
  if (counter !== undefined && typeof counter !== 'boolean') {
    throw fail(`"counter" must be true or false, got ${describeValue(counter)}`);
  }
  if (counter === false && using === undefined) {
    throw fail('"counter: false" needs "using": a token needs a counter or an attribute');
  }
  if (!Array.isArray(invalidates)) {
    throw fail(`"invalidates" must be an array of association paths, got ${describeValue(invalidates)}`);
  }
  const paths = invalidates.map((path: unknown) => {
    const aliases = typeof path === 'string' ? path.split('.') : [];
    if (aliases.length === 0 || !aliases.every((alias) => ALIAS.test(alias))) {
      throw fail(`path ${describeValue(path)} must be belongsTo aliases joined by dots, e.g. 'comment.article'`);
    }
    return aliases;
  });
  // A rule keeps a counter unless told not to, `using` or not (core's default drops it with `using`).
  const tokens = { using, counter: counter ?? true, generation: true, ...(within === undefined ? {} : { within }) };
  try {
    return { model, paths, spec: toTokenSpec(model, tokens) };
  } catch (error) {
    throw fail(error instanceof Error ? error.message.replace(/^\[cachesweeper\] \[tokens\] /, '') : String(error));
  }
}
