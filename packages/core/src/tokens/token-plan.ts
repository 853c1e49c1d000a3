import { CacheSweeperError, describeValue } from '../errors';
import { keyOf, quoteKeyPart, rowContentsKey } from '../keys';
import { describeTarget, type ResolvedTarget } from '../targets';
import type { KeyPart, TokenPlan } from '../types';
import type { TokenSpec } from './token-spec';

/**
 * Works out which keys a target's token needs. `row` is the target quoted as
 * `<Model>:<pk>` (`quoteRow`), `generationKey` the model's generation key when its spec
 * keeps one; `container` says other models' rows live within it (its contents counter is
 * read beside the token). Throws when a `using` attribute was not loaded.
 */
export function planToken(
  namespace: string,
  target: ResolvedTarget,
  spec: TokenSpec,
  row: string,
  generationKey: string | undefined,
  container = false,
): TokenPlan {
  const plan: TokenPlan = {
    counterKey: spec.counter ? keyOf(namespace, row) : undefined,
    generationKey,
    attributePart: spec.using === undefined ? undefined : attributeToken(target, spec.using),
  };
  return container ? { ...plan, contentsKey: rowContentsKey(namespace, row) } : plan;
}

/** Reads the `using` attribute as a key-safe token part; Dates at millisecond precision. */
export function attributeToken(target: ResolvedTarget, using: string): string {
  const value = target.attribute(using);
  if (value === undefined || value === null) {
    const why = target.hasAttribute(using) ? `is ${String(value)}` : 'was not loaded';
    throw new CacheSweeperError(
      'tokens',
      `${describeTarget(target)} is keyed by "${using}", but its "${using}" ${why}; load it (or pass { model, id, ${using} })`,
    );
  }
  if (value instanceof Date || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    return quoteKeyPart(value as KeyPart);
  }
  throw new CacheSweeperError(
    'tokens',
    `${describeTarget(target)}: "${using}" is ${describeValue(value)}; a token attribute must be a Date, number or string`,
  );
}

/** Joins a token's parts into one key segment: `g<generation>,c<counter>,u<attribute>` (`,` never occurs inside). */
export function composeToken(plan: TokenPlan, generation: string | undefined, counter: string | undefined): string {
  let token = plan.generationKey === undefined ? '' : `g${generation}`;
  if (plan.counterKey !== undefined) token += token === '' ? `c${counter}` : `,c${counter}`;
  if (plan.attributePart !== undefined) token += token === '' ? `u${plan.attributePart}` : `,u${plan.attributePart}`;
  return token;
}
