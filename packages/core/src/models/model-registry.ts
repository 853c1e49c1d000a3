import { CacheSweeperError, describeValue } from '../errors';
import { generationKey, isContentsKey } from '../keys';
import {
  DEFAULT_TOKEN_SPEC,
  describeSpec,
  type ModelTokens,
  sameTokenSpec,
  type TokenSpec,
  toTokenSpec,
  type WithinLink,
} from '../tokens/token-spec';

/** What every key of a model's rows shares: its token spec and, when the spec keeps one, its generation key. */
export interface ModelKeys {
  /** The model's token spec. */
  readonly spec: TokenSpec;
  /** The generation key, when the spec keeps one. */
  readonly generationKey: string | undefined;
  /** The rows its rows live within (`within`), each containing model checked (see `ModelRegistry.keysOf`). */
  readonly within: readonly WithinLink[];
  /** Whether rows of other models are declared within its rows: its blocks then read each row's contents counter. */
  readonly container: boolean;
}

// Model names come from code, so this stays small; the bound guards against data posing as names.
const MAX_REMEMBERED_MODELS = 1024;

/**
 * How each model's version token is kept. A model declared nowhere keeps a per-row
 * counter; declaring a model again the same way is a no-op, differently an error.
 *
 * @example
 * const models = new ModelRegistry('cs');
 * models.declare('Article', { using: 'updatedAt' });
 * models.specOf('Article').counter; // false
 */
export class ModelRegistry {
  readonly #namespace: string;
  readonly #declared = new Map<string, TokenSpec>();
  readonly #keys = new Map<string, ModelKeys>();
  /** The models other models live within. */
  #containers: ReadonlySet<string> = new Set();

  /** A registry for the keys of `namespace`. */
  constructor(namespace: string) {
    this.#namespace = namespace;
  }

  /** Declares how a model's token is kept. */
  declare(model: string, tokens: ModelTokens): void {
    if (typeof model !== 'string' || model.length === 0) {
      throw new CacheSweeperError(
        'sweeper',
        `declareModel: model name must be a non-empty string, got ${describeValue(model)}`,
      );
    }
    const spec = toTokenSpec(model, tokens);
    const existing = this.#declared.get(model);
    if (existing && !sameTokenSpec(existing, spec)) {
      throw new CacheSweeperError(
        'sweeper',
        `model ${model} is already declared as ${describeSpec(existing)}; cannot redeclare it as ${describeSpec(spec)}`,
      );
    }
    this.#declared.set(model, spec);
    this.#keys.clear(); // a containing model's checks depend on the others' declarations
    const containers = new Set<string>();
    for (const declared of this.#declared.values())
      for (const [container] of declared.within) containers.add(container);
    this.#containers = containers;
  }

  /**
   * Whether `key` may be the contents counter of a row other rows live within. Such
   * counters are bumped again once the rows inside them were bumped (see `Invalidator`).
   */
  mayBeContentsKey(key: string): boolean {
    return this.#containers.size > 0 && isContentsKey(key);
  }

  /** The spec a model was declared with, or `undefined` when it was not declared. */
  declaredSpec(model: string): TokenSpec | undefined {
    return this.#declared.get(model);
  }

  /** The token spec in force for a model (declared, or the default per-row counter). */
  specOf(model: string): TokenSpec {
    return this.#declared.get(model) ?? DEFAULT_TOKEN_SPEC;
  }

  /** The spec and generation key of a model, worked out once. */
  keysOf(model: string): ModelKeys {
    let keys = this.#keys.get(model);
    if (keys === undefined) {
      if (this.#keys.size >= MAX_REMEMBERED_MODELS) this.#keys.clear();
      const spec = this.specOf(model);
      for (const [container] of spec.within) this.#checkContainer(model, container);
      keys = {
        spec,
        generationKey: spec.generation ? generationKey(this.#namespace, model) : undefined,
        within: spec.within,
        container: this.#containers.has(model),
      };
      this.#keys.set(model, keys);
    }
    return keys;
  }

  /** A containing model must keep a counter (its rows are bumped) and live within nothing itself. */
  #checkContainer(model: string, container: string): void {
    const spec = this.specOf(container);
    if (!spec.counter) {
      throw new CacheSweeperError(
        'sweeper',
        `${model} is declared within ${container}, but ${container} is keyed by "${spec.using}" alone; declare ${container} with { counter: true } so invalidating a ${model} can bump it`,
      );
    }
    if (spec.within.length > 0) {
      throw new CacheSweeperError(
        'sweeper',
        `${model} is declared within ${container}, which is itself declared within ${spec.within.map(([name]) => name).join(', ')}; "within" goes one level deep (a ${model}'s invalidation could not name the rows around its ${container})`,
      );
    }
  }
}
